import { DatabaseSync } from 'node:sqlite';
import { BulwarkError } from '../../../core/index.ts';
import { parseRpmHeader, type RpmHeader } from './rpm-header.ts';
import { applyWal } from './sqlite-wal.ts';

const MAX_PACKAGES = 200_000;

/**
 * Reads rpm's sqlite database (`rpmdb.sqlite`, rpm 4.16+) from memory: SQLite is opened on the bytes
 * (deserialize, defensive mode), never on a file of the image. One header blob per row of `Packages`.
 * A header that does not parse is reported by `onBadHeader` and skipped.
 */
export function readRpmSqlite(bytes: Uint8Array, where: string, onBadHeader: (message: string) => void, wal?: Uint8Array): RpmHeader[] {
  const prepared = applyWal(bytes, wal);
  if (prepared.walIgnored !== undefined) onBadHeader(`${where}-wal: ${prepared.walIgnored}; read without it`);
  const db = new DatabaseSync(':memory:');
  try {
    db.enableDefensive(true);
    try {
      db.deserialize(prepared.bytes);
    } catch (error) {
      throw new BulwarkError('E_PARSE', `${where}: not an SQLite database (${(error as Error).message})`);
    }
    let rows: { hnum: number; blob: Uint8Array }[];
    try {
      rows = db.prepare(`SELECT hnum, blob FROM Packages ORDER BY hnum LIMIT ${MAX_PACKAGES + 1}`).all() as { hnum: number; blob: Uint8Array }[];
    } catch (error) {
      throw new BulwarkError('E_PARSE', `${where}: no readable Packages table (${(error as Error).message})`);
    }
    if (rows.length > MAX_PACKAGES) throw new BulwarkError('E_TOO_LARGE', `${where}: more than ${MAX_PACKAGES} packages`);
    const out: RpmHeader[] = [];
    for (const row of rows) {
      if (!(row.blob instanceof Uint8Array)) continue;
      try {
        out.push(parseRpmHeader(row.blob, `${where} row ${row.hnum}`));
      } catch (error) {
        onBadHeader((error as Error).message);
      }
    }
    return out;
  } finally {
    db.close();
  }
}
