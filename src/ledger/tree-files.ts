// The file store's tree of hashes: one file per level, level k holding the hash of every complete
// perfect subtree of 2^k leaves (32 bytes each, in order; level 0 holds the leaf hashes). Proofs then
// read ~log2(N) hashes with positioned reads instead of rehashing entries. The files are derived data:
// they are not fsynced per batch, only at checkpoints and on close (the size they are good up to is
// recorded then), and are rebuilt from the segments past that point after a crash.
//
// Levels small enough (≤ 8 MiB) are also held in memory, at most 16 MiB in all since each level is
// half the one below: every proof needs about one node of each level, and a positioned read costs
// far more than hashing, so a proof of a 10-million-entry log reads only its 6 lowest levels from the
// files instead of all 24.
import { closeSync, constants, fdatasyncSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { NewNode } from './compact-range.ts';
import { LedgerError } from './errors.ts';
import { HASH_SIZE, type HashText } from './hash.ts';
import { atomicWrite } from './fs-util.ts';
import { pow2, type NodeId } from './tree-math.ts';

const MAX_LEVELS = 54;
/** Levels with at most this many nodes are kept in memory. */
const MEMORY_LEVEL_NODES = 262_144;

/**
 * The nodes one batch of appends completes, per level. They are consecutive on each level, so a
 * level is written with one positioned write.
 */
export class LevelRuns {
  readonly first: number[] = [];
  readonly hashes: HashText[][] = [];

  readonly add = (level: number, index: number, hash: HashText): void => {
    let run = this.hashes[level];
    if (run === undefined) {
      this.hashes[level] = run = [];
      this.first[level] = index;
    }
    run.push(hash);
  };

  get count(): number {
    let count = 0;
    for (const run of this.hashes) count += run?.length ?? 0;
    return count;
  }
}

/** A level's nodes [0, count) in memory. */
interface MemoryLevel {
  bytes: Buffer;
  count: number;
}

export class TreeFiles {
  readonly #dir: string;
  readonly #readOnly: boolean;
  readonly #fds: (number | undefined)[] = [];
  /** Per level: its nodes in memory, `null` when the level is too large to keep, `undefined` before the first read. */
  readonly #memory: (MemoryLevel | null | undefined)[] = [];

  readonly #memoryLevelNodes: number;

  /** `memoryLevelNodes`: levels with at most this many nodes are held in memory (tests lower it). */
  constructor(dir: string, readOnly: boolean, memoryLevelNodes = MEMORY_LEVEL_NODES) {
    this.#dir = dir;
    this.#readOnly = readOnly;
    this.#memoryLevelNodes = memoryLevelNodes;
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

  #memoryLevel(level: number): MemoryLevel | null {
    let memory = this.#memory[level];
    if (memory !== undefined) return memory;
    const fd = this.#fd(level, false);
    const size = fd === undefined ? 0 : fstatSync(fd).size;
    const count = Math.floor(size / HASH_SIZE);
    if (count > this.#memoryLevelNodes) memory = null;
    else {
      const bytes = Buffer.allocUnsafe(Math.max(1024, count * 2) * HASH_SIZE);
      let read = 0;
      while (fd !== undefined && read < count * HASH_SIZE) {
        const n = readSync(fd, bytes, read, count * HASH_SIZE - read, read);
        if (n === 0) break;
        read += n;
      }
      memory = { bytes, count: Math.floor(read / HASH_SIZE) };
    }
    this.#memory[level] = memory;
    return memory;
  }

  node(id: NodeId): Buffer {
    const out = Buffer.allocUnsafe(HASH_SIZE);
    this.#readNode(id, out, 0);
    return out;
  }

  /** The nodes, in order; a missing one raises `corrupt`. */
  nodes(ids: readonly NodeId[]): Buffer[] {
    // One allocation for the batch; each node a view of it.
    const out = Buffer.allocUnsafe(ids.length * HASH_SIZE);
    return ids.map((id, i) => {
      this.#readNode(id, out, i * HASH_SIZE);
      return out.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
    });
  }

  #readNode(id: NodeId, out: Buffer, offset: number): void {
    const memory = this.#memoryLevel(id.level);
    if (memory !== null && id.index < memory.count) {
      memory.bytes.copy(out, offset, id.index * HASH_SIZE, (id.index + 1) * HASH_SIZE);
      return;
    }
    const fd = this.#fd(id.level, false);
    const n = fd === undefined ? 0 : readSync(fd, out, offset, HASH_SIZE, id.index * HASH_SIZE);
    if (n !== HASH_SIZE) throw new LedgerError('corrupt', `tree node ${id.level}/${id.index} is missing from the tree files; reopen the ledger for writing to rebuild them`);
  }

  /** Writes the nodes of a batch: one positioned write per level. */
  writeRuns(runs: LevelRuns): void {
    for (let level = 0; level < runs.hashes.length; level++) {
      const run = runs.hashes[level];
      if (run === undefined || run.length === 0) continue;
      const buffer = Buffer.allocUnsafe(run.length * HASH_SIZE);
      for (let i = 0; i < run.length; i++) buffer.write(run[i]!, i * HASH_SIZE, HASH_SIZE, 'latin1');
      this.#writeLevel(level, runs.first[level]!, buffer);
    }
  }

  #writeLevel(level: number, first: number, buffer: Buffer): void {
    const fd = this.#fd(level, true)!;
    let written = 0;
    while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written, first * HASH_SIZE + written);
    this.#remember(level, first, buffer);
  }

  /** Keeps an in-memory level in step with what was written. */
  #remember(level: number, first: number, buffer: Buffer): void {
    const memory = this.#memory[level];
    if (memory === undefined || memory === null) return;
    const count = buffer.length / HASH_SIZE;
    if (first > memory.count || first + count > this.#memoryLevelNodes) {
      // Not contiguous with what is held (cannot happen in order), or grown too large: read from the file.
      this.#memory[level] = first + count > this.#memoryLevelNodes ? null : undefined;
      return;
    }
    const needed = (first + count) * HASH_SIZE;
    if (needed > memory.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.#memoryLevelNodes * HASH_SIZE, Math.max(needed, memory.bytes.length * 2)));
      memory.bytes.copy(grown, 0, 0, memory.count * HASH_SIZE);
      memory.bytes = grown;
    }
    buffer.copy(memory.bytes, first * HASH_SIZE);
    memory.count = Math.max(memory.count, first + count);
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
      this.#writeLevel(level, list[0]!.index, buffer);
    }
  }

  /** Drops every node that covers a leaf at or beyond `size`. */
  truncate(size: number): void {
    this.#memory.length = 0;
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
    this.#memory.length = 0;
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
