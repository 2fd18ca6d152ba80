import { BulwarkError } from '../core/index.ts';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `24h`, `90d` → milliseconds (positive, at most `maxMs`). */
export function parseDuration(text: string, what: string, maxMs: number): number {
  const match = /^(\d{1,7})([smhd])$/.exec(text.trim());
  if (match === null) throw new BulwarkError('E_USAGE', `${what}: "${text}" is not a duration such as 10m, 24h or 30d`);
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  if (ms <= 0 || ms > maxMs) throw new BulwarkError('E_USAGE', `${what}: ${text} is out of range (1s to ${Math.floor(maxMs / UNITS.d!)}d)`);
  return ms;
}
