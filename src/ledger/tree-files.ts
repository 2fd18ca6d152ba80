// The file store's tree of hashes: one file per level, level k holding the hash of every complete
// perfect subtree of 2^k leaves (32 bytes each, in order; level 0 holds the leaf hashes). Proofs then
// read ~log2(N) hashes with positioned reads instead of rehashing entries. The files are derived data:
// they are not fsynced per batch, only at checkpoints and on close (the size they are good up to is
// recorded then), and are rebuilt from the segments past that point after a crash.
import { closeSync, constants, fdatasyncSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { NewNode } from './compact-range.ts';
import { LedgerError } from './errors.ts';
import { HASH_SIZE } from './hash.ts';
import { atomicWrite } from './fs-util.ts';
import { pow2, type NodeId } from './tree-math.ts';

const MAX_LEVELS = 54;

export class TreeFiles {
  readonly #dir: string;
  readonly #readOnly: boolean;
  readonly #fds: (number | undefined)[] = [];

  constructor(dir: string, readOnly: boolean) {
    this.#dir = dir;
    this.#readOnly = readOnly;
  }

  #path(level: number): string {
    return join(this.#dir, `level-${String(level).padStart(2, '0')}`);
  }

  #fd(level: number, create: boolean): number | undefined {
    if (level >= MAX_LEVELS) throw new LedgerError('corrupt', `tree level ${level} is beyond any possible log`);
    let fd = this.#fds[level];
    if (fd !== undefined) return fd;
    try {
      fd = openSync(this.#path(level), this.#readOnly ? constants.O_RDONLY : constants.O_RDWR | (create ? constants.O_CREAT : 0), 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new LedgerError('io', `cannot open tree file ${this.#path(level)}: ${(error as Error).message}`, { cause: error });
    }
    this.#fds[level] = fd;
    return fd;
  }

  /** How many leaves the level-0 file holds. */
  leafCount(): number {
    const fd = this.#fd(0, false);
    return fd === undefined ? 0 : Math.floor(fstatSync(fd).size / HASH_SIZE);
  }

  /** The size up to which the files were last made durable (see sync). */
  syncedSize(): number {
    return readMark(join(this.#dir, 'synced'));
  }

  /** The size recorded by a clean close, or -1 when the last writer did not close cleanly. */
  cleanSize(): number {
    return readMark(join(this.#dir, 'clean'), -1);
  }

  node(id: NodeId): Buffer {
    const fd = this.#fd(id.level, false);
    const out = Buffer.allocUnsafe(HASH_SIZE);
    const n = fd === undefined ? 0 : readSync(fd, out, 0, HASH_SIZE, id.index * HASH_SIZE);
    if (n !== HASH_SIZE) throw new LedgerError('corrupt', `tree node ${id.level}/${id.index} is missing from the tree files; reopen the ledger for writing to rebuild them`);
    return out;
  }

  /** Writes new nodes (grouped by level, each level's run contiguous) with positioned writes. */
  write(nodes: readonly NewNode[]): void {
    const byLevel = new Map<number, NewNode[]>();
    for (const node of nodes) {
      let list = byLevel.get(node.level);
      if (list === undefined) byLevel.set(node.level, (list = []));
      list.push(node);
    }
    for (const [level, list] of byLevel) {
      list.sort((a, b) => a.index - b.index);
      const buffer = Buffer.allocUnsafe(list.length * HASH_SIZE);
      list.forEach((node, i) => node.hash.copy(buffer, i * HASH_SIZE));
      const fd = this.#fd(level, true)!;
      let written = 0;
      while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written, list[0]!.index * HASH_SIZE + written);
    }
  }

  /** Drops every node that covers a leaf at or beyond `size`. */
  truncate(size: number): void {
    for (let level = 0; level < MAX_LEVELS; level++) {
      const fd = this.#fd(level, false);
      if (fd === undefined) continue;
      const keep = Math.floor(size / pow2(level)) * HASH_SIZE;
      if (fstatSync(fd).size > keep) ftruncateSync(fd, keep);
    }
  }

  /** Makes the files durable and records that they are good up to `size`. */
  sync(size: number): void {
    for (const fd of this.#fds) if (fd !== undefined) fdatasyncSync(fd);
    atomicWrite(join(this.#dir, 'synced'), `${size}\n`);
  }

  markClean(size: number): void {
    this.sync(size);
    atomicWrite(join(this.#dir, 'clean'), `${size}\n`);
  }

  markDirty(): void {
    atomicWrite(join(this.#dir, 'clean'), '-1\n');
  }

  close(): void {
    for (const fd of this.#fds) if (fd !== undefined) closeSync(fd);
    this.#fds.length = 0;
  }
}

function readMark(path: string, fallback = 0): number {
  try {
    const value = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(value) ? value : fallback;
  } catch {
    return fallback;
  }
}
