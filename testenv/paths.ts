// Where testenv/build.sh leaves kube-apiserver and etcd, and whether they are there. The pins are read
// from versions.env, the file the build script sources, so both always agree on the directory.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BulwarkError } from '../src/core/errors.ts';

export const testenvDir = dirname(fileURLToPath(import.meta.url));
const versionsFile = join(testenvDir, 'versions.env');

export interface Pins {
  kubernetes: string;
  etcd: string;
}

const MAX_VERSIONS_BYTES = 64 * 1024;
const VERSION = /^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/**
 * Reads `KEY=value` lines (comments and blank lines allowed) as the shell would source them; only
 * KUBERNETES_VERSION and ETCD_VERSION are used. `file` names the source in error messages.
 */
export function parsePins(text: string, file = 'testenv/versions.env'): Pins {
  if (text.length > MAX_VERSIONS_BYTES) {
    throw new BulwarkError('E_TOO_LARGE', `${file} is larger than ${MAX_VERSIONS_BYTES} bytes`, { location: { file } });
  }
  const values = new Map<string, { value: string; line: number }>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match === null) {
      throw new BulwarkError('E_CONFIG', `expected KEY=value, found "${line.slice(0, 80)}"`, { location: { file, line: index + 1 } });
    }
    values.set(match[1]!, { value: match[2]!, line: index + 1 });
  });
  const pin = (key: string): string => {
    const entry = values.get(key);
    if (entry === undefined) throw new BulwarkError('E_CONFIG', `${key} is not set`, { location: { file } });
    if (!VERSION.test(entry.value)) {
      throw new BulwarkError('E_CONFIG', `${key} must be a release like v1.2.3, found "${entry.value.slice(0, 80)}"`, { location: { file, line: entry.line } });
    }
    return entry.value;
  };
  return { kubernetes: pin('KUBERNETES_VERSION'), etcd: pin('ETCD_VERSION') };
}

/** The pins, with the same environment overrides build.sh honours. */
export function pins(env: NodeJS.ProcessEnv = process.env): Pins {
  const pinned = parsePins(readFileSync(versionsFile, 'utf8'));
  return {
    kubernetes: env.BULWARK_KUBERNETES_VERSION || pinned.kubernetes,
    etcd: env.BULWARK_ETCD_VERSION || pinned.etcd,
  };
}

/** `$BULWARK_TESTENV_DIR`, else `$XDG_CACHE_HOME/bulwark/testenv`, else `~/.cache/bulwark/testenv`. */
export function testenvCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BULWARK_TESTENV_DIR) return env.BULWARK_TESTENV_DIR;
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cache, 'bulwark', 'testenv');
}

/** The directory build.sh writes the binaries of these pins to. */
export function binariesDir(env: NodeJS.ProcessEnv = process.env): string {
  const { kubernetes, etcd } = pins(env);
  return join(testenvCacheDir(env), `${kubernetes}-etcd-${etcd}`);
}

export interface ControlPlaneBinaries {
  kubeApiserver: string;
  etcd: string;
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binaries, or null with the reason when one is missing. */
export function locateBinaries(env: NodeJS.ProcessEnv = process.env): { binaries: ControlPlaneBinaries; missing: null } | { binaries: null; missing: string } {
  const dir = binariesDir(env);
  const binaries = { kubeApiserver: join(dir, 'kube-apiserver'), etcd: join(dir, 'etcd') };
  const absent = (['kube-apiserver', 'etcd'] as const).filter((name) => !isExecutable(join(dir, name)));
  if (absent.length === 0) return { binaries, missing: null };
  return { binaries: null, missing: `${absent.join(' and ')} not built: run testenv/build.sh (needs Go)` };
}

/** `false` when the control plane can be started, else the skip message naming what is missing. */
export function missingControlPlane(env: NodeJS.ProcessEnv = process.env): false | string {
  return locateBinaries(env).missing ?? false;
}

/** The binaries; an E_TOOL_MISSING error naming the missing one and how to build it otherwise. */
export function requireBinaries(env: NodeJS.ProcessEnv = process.env): ControlPlaneBinaries {
  const located = locateBinaries(env);
  if (located.binaries === null) throw new BulwarkError('E_TOOL_MISSING', `${located.missing} (looked in ${binariesDir(env)})`);
  return located.binaries;
}
