import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BulwarkError } from '../core/index.ts';
import { defaultConfig, MAX_CONFIG_BYTES, type Config } from './config.ts';

/** Looked for in this order in each directory; having both in one directory is an error. */
export const CONFIG_FILE_NAMES = ['.bulwark.yaml', '.bulwark.yml'] as const;

export interface LoadConfigOptions {
  /** `--config FILE`: used as is, and an error when it does not exist. */
  explicitPath?: string | undefined;
  /** Where the upward search starts: the first scanned path (a file's directory), or the cwd. */
  startDir: string;
  knownControls: ReadonlySet<string>;
  /** Paths in messages are shown relative to this directory when the file is below it. */
  cwd?: string;
}

export interface LoadedConfig {
  config: Config;
  /** The file read, as shown in messages; null when none was found. */
  file: string | null;
}

/**
 * The configuration for a run: the explicit file, else the nearest `.bulwark.yaml` (or `.yml`) in
 * `startDir` or any directory above it, else the defaults.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  let absolute: string | null;
  if (options.explicitPath !== undefined) {
    absolute = resolve(cwd, options.explicitPath);
    if ((await fileKind(absolute)) !== 'file') {
      throw new BulwarkError('E_CONFIG', 'configuration file not found', {
        location: { file: options.explicitPath },
      });
    }
  } else {
    absolute = await findConfigFile(resolve(cwd, options.startDir), cwd);
  }
  if (absolute === null) return { config: defaultConfig(resolve(cwd)), file: null };
  const shown = displayPath(absolute, cwd);
  // The schema library is loaded only for a file that it must explain: a valid file is read without it.
  const { readConfig } = await import('./read.ts');
  const read = readConfig(await readConfigText(absolute, shown), shown, options.knownControls, dirname(absolute));
  if ('config' in read) return { config: read.config, file: shown };
  const { validateWithSchema } = await import('./parse.ts');
  return { config: validateWithSchema(read.refused, shown, options.knownControls, dirname(absolute)), file: shown };
}

/** The nearest configuration file at or above `start` (a directory, or a file whose directory is used). */
export async function findConfigFile(start: string, cwd: string = process.cwd()): Promise<string | null> {
  let dir = (await fileKind(start)) === 'file' ? dirname(start) : start;
  for (;;) {
    const found: string[] = [];
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if ((await fileKind(candidate)) === 'file') found.push(candidate);
    }
    if (found.length > 1) {
      throw new BulwarkError(
        'E_CONFIG',
        `both ${found.map((path) => displayPath(path, cwd)).join(' and ')} exist; keep one of them`,
        { location: { file: displayPath(found[0]!, cwd) } },
      );
    }
    if (found[0] !== undefined) return found[0];
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

async function fileKind(path: string): Promise<'file' | 'other' | 'missing'> {
  try {
    return (await stat(path)).isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

async function readConfigText(absolute: string, shown: string): Promise<string> {
  try {
    const size = (await stat(absolute)).size;
    if (size > MAX_CONFIG_BYTES) {
      throw new BulwarkError('E_CONFIG', `larger than ${MAX_CONFIG_BYTES / 1024} KiB; a configuration file is refused at that size`, {
        location: { file: shown },
      });
    }
    const text = await readFile(absolute, 'utf8');
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch (error) {
    if (error instanceof BulwarkError) throw error;
    throw new BulwarkError('E_CONFIG', `cannot read the configuration file: ${(error as Error).message}`, {
      location: { file: shown },
      cause: error,
    });
  }
}

/** Relative to `cwd` when below it (`.bulwark.yaml`, `deploy/.bulwark.yaml`), else absolute. */
function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel) ? rel : absolute;
}
