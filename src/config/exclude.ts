import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Config } from './config.ts';
import { matchesPathGlob } from './glob.ts';

/**
 * Whether the configuration's `exclude` globs leave out `path` (a file or a directory; absolute, or
 * relative to `cwd`). Globs are rooted at the configuration file's directory, so nothing outside it
 * is ever excluded; stdin (`-`) never is.
 */
export function isExcluded(config: Config, path: string, cwd: string = process.cwd()): boolean {
  if (config.exclude.length === 0 || path === '-') return false;
  const rel = relative(config.baseDir, resolve(cwd, path));
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return false;
  const posix = sep === '/' ? rel : rel.split(sep).join('/');
  return config.exclude.some((glob) => matchesPathGlob(posix, glob));
}
