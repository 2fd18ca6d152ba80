/**
 * Applies an SQLite write-ahead log to a copy of its database, as SQLite would when opening it: the
 * frames of the log's current generation (matching salts) up to the last commit replace their pages.
 * rpm keeps its database in WAL mode, and an image may hold the log beside the database; the result is
 * also switched to rollback-journal mode so it can be opened from memory. Malformed logs are ignored
 * (the database is used as it is) and said so through the return value.
 * Format: https://www.sqlite.org/fileformat2.html#walformat
 */
export function applyWal(database: Uint8Array, wal: Uint8Array | undefined): { bytes: Buffer; walApplied: boolean; walIgnored?: string } {
  let db = Buffer.from(database);
  const toRollbackMode = (bytes: Buffer): Buffer => {
    // File format version numbers (bytes 18, 19): 2 means WAL, which an in-memory copy cannot use.
    if (bytes.length >= 100 && (bytes[18] === 2 || bytes[19] === 2)) {
      bytes[18] = 1;
      bytes[19] = 1;
    }
    return bytes;
  };
  if (wal === undefined || wal.length === 0) return { bytes: toRollbackMode(db), walApplied: false };
  const log = Buffer.from(wal.buffer, wal.byteOffset, wal.byteLength);
  if (log.length < 32) return { bytes: toRollbackMode(db), walApplied: false, walIgnored: 'write-ahead log shorter than its header' };
  const magic = log.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return { bytes: toRollbackMode(db), walApplied: false, walIgnored: 'not an SQLite write-ahead log' };
  const pageSize = log.readUInt32BE(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return { bytes: toRollbackMode(db), walApplied: false, walIgnored: `write-ahead log page size ${pageSize}` };
  const salt1 = log.readUInt32BE(16);
  const salt2 = log.readUInt32BE(20);
  const frameSize = 24 + pageSize;
  // Pages of committed transactions only: collect per transaction, apply at each commit frame.
  const committed = new Map<number, Buffer>();
  let pending = new Map<number, Buffer>();
  let committedSize = 0;
  for (let at = 32; at + frameSize <= log.length; at += frameSize) {
    if (log.readUInt32BE(at + 8) !== salt1 || log.readUInt32BE(at + 12) !== salt2) break;
    const page = log.readUInt32BE(at);
    if (page === 0) break;
    pending.set(page, log.subarray(at + 24, at + frameSize));
    const sizeAfterCommit = log.readUInt32BE(at + 4);
    if (sizeAfterCommit !== 0) {
      for (const [number, bytes] of pending) committed.set(number, bytes);
      pending = new Map();
      committedSize = sizeAfterCommit;
    }
  }
  if (committed.size === 0) return { bytes: toRollbackMode(db), walApplied: false };
  const size = committedSize * pageSize;
  if (size > 1024 * 1024 * 1024) return { bytes: toRollbackMode(db), walApplied: false, walIgnored: 'write-ahead log names a database over 1 GiB' };
  if (db.length !== size) {
    const resized = Buffer.alloc(size);
    db.copy(resized, 0, 0, Math.min(db.length, size));
    db = resized;
  }
  for (const [number, bytes] of committed) {
    const offset = (number - 1) * pageSize;
    if (offset + pageSize <= db.length) bytes.copy(db, offset);
  }
  return { bytes: toRollbackMode(db), walApplied: true };
}
