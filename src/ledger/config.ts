// ledger.json: what a ledger directory is. Keys are referenced by file name (relative to the
// directory) and never inlined; a PostgreSQL password is never written here (the URL comes from the
// environment or the caller).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { LedgerError } from './errors.ts';
import { isValidKeyName } from './note.ts';

export const CONFIG_FILE = 'ledger.json';
export const CONFIG_FORMAT = 'bulwark-ledger/v1';
export const DATABASE_URL_ENV = 'BULWARK_LEDGER_DATABASE_URL';

export type StoreConfig =
  | { kind: 'file'; durability: 'fsync' | 'os'; segmentBytes: number }
  | { kind: 'postgres'; schema: string };

export interface LedgerConfig {
  format: typeof CONFIG_FORMAT;
  /** The checkpoint origin line and the signing key's name. */
  origin: string;
  verifierKey: string;
  signerKeyFile: string;
  kekFile: string;
  previousKekFiles: string[];
  store: StoreConfig;
  checkpoint: { everyEntries: number; everyMs: number };
  dataKeyMaxAgeDays: number;
}

export function defaultConfig(origin: string, verifierKey: string, store: StoreConfig): LedgerConfig {
  return {
    format: CONFIG_FORMAT,
    origin,
    verifierKey,
    signerKeyFile: 'log.key',
    kekFile: 'kek.key',
    previousKekFiles: [],
    store,
    checkpoint: { everyEntries: 100_000, everyMs: 60_000 },
    dataKeyMaxAgeDays: 30,
  };
}

export function defaultOrigin(): string {
  return `bulwark.ledger/${randomBytes(8).toString('hex')}`;
}

export function resolveIn(dir: string, file: string): string {
  return isAbsolute(file) ? file : resolve(dir, file);
}

export function readConfig(dir: string): LedgerConfig {
  const path = join(dir, CONFIG_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new LedgerError('config', missing ? `${dir} is not a ledger (no ${CONFIG_FILE}); create one with bulwark ledger init --dir ${dir}` : `cannot read ${path}: ${(error as Error).message}`, {
      location: { file: path },
      cause: error,
    });
  }
  const fail = (what: string): never => {
    throw new LedgerError('config', `${what}`, { location: { file: path } });
  };
  const c = raw as Partial<LedgerConfig> | null;
  if (c === null || typeof c !== 'object') return fail('not a JSON object');
  if (c.format !== CONFIG_FORMAT) fail(`"format" must be "${CONFIG_FORMAT}"`);
  if (typeof c.origin !== 'string' || !isValidKeyName(c.origin)) fail('"origin" must be a non-empty name without spaces or "+"');
  if (typeof c.verifierKey !== 'string') fail('"verifierKey" is missing');
  if (typeof c.signerKeyFile !== 'string' || typeof c.kekFile !== 'string') fail('"signerKeyFile" and "kekFile" must be file names');
  if (!Array.isArray(c.previousKekFiles) || c.previousKekFiles.some((f) => typeof f !== 'string')) fail('"previousKekFiles" must be a list of file names');
  const store = c.store as StoreConfig | undefined;
  if (store?.kind === 'file') {
    if (store.durability !== 'fsync' && store.durability !== 'os') fail('"store.durability" must be "fsync" or "os"');
    if (!Number.isSafeInteger(store.segmentBytes) || store.segmentBytes < 4096) fail('"store.segmentBytes" must be an integer ≥ 4096');
  } else if (store?.kind === 'postgres') {
    if (typeof store.schema !== 'string' || !/^[a-z_][a-z0-9_]{0,62}$/.test(store.schema)) fail('"store.schema" must be a lower-case SQL identifier');
  } else fail('"store.kind" must be "file" or "postgres"');
  const cp = c.checkpoint;
  if (!cp || !Number.isSafeInteger(cp.everyEntries) || cp.everyEntries < 1 || !Number.isSafeInteger(cp.everyMs) || cp.everyMs < 0) {
    fail('"checkpoint" must be {"everyEntries": ≥1, "everyMs": ≥0 (0: no timer)}');
  }
  if (typeof c.dataKeyMaxAgeDays !== 'number' || !(c.dataKeyMaxAgeDays > 0)) fail('"dataKeyMaxAgeDays" must be a positive number');
  return c as LedgerConfig;
}

export function writeNewConfig(dir: string, config: LedgerConfig): void {
  const path = join(dir, CONFIG_FILE);
  if (existsSync(path)) throw new LedgerError('usage', `${dir} already holds a ledger (${CONFIG_FILE} exists)`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' });
}
