import { homedir } from 'node:os';
import { join } from 'node:path';
import { BulwarkError } from '../../core/index.ts';

/** `$BULWARK_DB`, else `$XDG_CACHE_HOME/bulwark/vuln.db`, else `~/.cache/bulwark/vuln.db`. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BULWARK_DB) return env.BULWARK_DB;
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cache, 'bulwark', 'vuln.db');
}

/** Default age after which the database is reported as stale. */
export const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90m`, `12h`, `7d`, `2w` → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)([smhdw])$/.exec(text.trim());
  if (m === null) throw new BulwarkError('E_USAGE', `invalid duration "${text}": write a number and a unit, e.g. 12h, 7d, 2w (units s, m, h, d, w)`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

export function formatAge(ms: number): string {
  if (ms < 0) return 'in the future';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}
