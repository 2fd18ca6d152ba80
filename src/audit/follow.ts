// `--follow FILE`: reads an API server's JSON-lines audit log as it grows, the way `tail -F` would:
// a rotated file (renamed, a new one created) is read to its end before the new one is opened; a
// truncated one (copytruncate) is read again from the start. Lines are bounded (longer ones are
// skipped and reported). The position is saved after each batch is durable, so a restart resumes
// where it stopped, and what is read twice is recognised as duplicate anyway.
import { closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { AuditError } from './errors.ts';
import { eventsOfDocument, parseJson, type AuditEvent, type ParseProblem } from './event.ts';
import type { AuditIngestor, IngestResult } from './ingest.ts';
import { LineSplitter } from './lines.ts';
import { DEFAULT_MAX_LINE_BYTES } from './reader.ts';

export interface FollowOptions {
  path: string;
  ingestor: AuditIngestor;
  /** Where the read position is kept between runs (absent: not kept). */
  statePath?: string;
  /** With no saved position: read the file from its start (default) or only what is appended later. */
  fromStart?: boolean;
  pollMs?: number;
  maxLineBytes?: number;
  /** Events per ledger batch (default 2,000). */
  batchEvents?: number;
  onProblems?: (problems: readonly ParseProblem[]) => void;
  onBatch?: (result: IngestResult) => void;
  onError?: (error: unknown) => void;
}

interface Position {
  dev: number;
  ino: number;
  offset: number;
}

const CHUNK_BYTES = 1 << 20;
/** Bytes at the start of the file remembered to notice it was truncated and refilled past our position. */
const HEAD_BYTES = 512;

function readState(path: string | undefined): Position | undefined {
  if (path === undefined) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as Partial<Position>;
    if (Number.isSafeInteger(state.dev) && Number.isSafeInteger(state.ino) && Number.isSafeInteger(state.offset) && state.offset! >= 0) return state as Position;
  } catch {
    /* none yet, or unreadable: start afresh (duplicates are recognised) */
  }
  return undefined;
}

export class LogFollower {
  readonly path: string;
  /** Lines read, events recorded, problems seen, rotations and truncations handled. */
  readonly counts = { lines: 0, events: 0, problems: 0, rotations: 0, truncations: 0 };
  readonly #options: FollowOptions;
  readonly #buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  #fd: number | undefined;
  #dev = 0;
  #ino = 0;
  /** Bytes of the current file read into the splitter. */
  #readOffset = 0;
  #splitter: LineSplitter;
  /** The first bytes of the file as last seen. */
  #head = Buffer.alloc(0);
  #stopped = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: FollowOptions) {
    this.path = options.path;
    this.#options = options;
    this.#splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  }

  /** Position of the end of the last complete line handed over (what is saved). */
  get offset(): number {
    return this.#readOffset - this.#splitter.pendingBytes;
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#open(true);
    this.#loop = this.#run();
  }

  /** Reads what is there now, to its end (tests, and each turn of the loop). */
  async poll(): Promise<void> {
    if (this.#fd === undefined && !this.#open(false)) return;
    for (;;) {
      await this.#drain();
      // End of the file as it is now: was it rotated or truncated under us?
      let current: { dev: number; ino: number; size: number } | undefined;
      try {
        const stat = statSync(this.path);
        current = { dev: stat.dev, ino: stat.ino, size: stat.size };
      } catch {
        return; // between a rotation's rename and the new file's creation
      }
      if (current.dev !== this.#dev || current.ino !== this.#ino) {
        // Rotated: what the old file still had was just read; finish its last line and move on.
        await this.#handleLines(this.#splitter.end());
        this.#close();
        this.counts.rotations++;
        if (!this.#open(false, 0)) return;
        continue;
      }
      // Truncated: shorter than what we read, or refilled past it (its first bytes changed).
      if (current.size < this.#readOffset || !this.#sameHead()) {
        this.counts.truncations++;
        this.#readOffset = 0;
        this.#head = Buffer.alloc(0);
        this.#splitter = new LineSplitter(this.#splitter.maxLineBytes);
        continue;
      }
      return;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    this.#close();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.poll();
      } catch (error) {
        this.#options.onError?.(error);
      }
      if (this.#stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#options.pollMs ?? 250);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Opens the file; `offset` given: start there, else from the saved position or the configured start. */
  #open(first: boolean, offset?: number): boolean {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (error) {
      if (first && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw new AuditError('io', `cannot read ${this.path}: ${(error as Error).message}`, { location: { file: this.path }, cause: error });
      return false;
    }
    const stat = fstatSync(fd);
    this.#fd = fd;
    this.#dev = stat.dev;
    this.#ino = stat.ino;
    this.#splitter = new LineSplitter(this.#splitter.maxLineBytes);
    if (offset !== undefined) this.#readOffset = offset;
    else {
      const saved = readState(this.#options.statePath);
      if (saved !== undefined && saved.dev === stat.dev && saved.ino === stat.ino && saved.offset <= stat.size) this.#readOffset = saved.offset;
      else this.#readOffset = this.#options.fromStart === false ? stat.size : 0;
    }
    return true;
  }

  #close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    this.#head = Buffer.alloc(0);
  }

  /** Reads the file's first bytes; compares them with those seen before (remembering them the first time). */
  #sameHead(): boolean {
    const want = Math.min(HEAD_BYTES, this.#readOffset);
    if (want === 0) return true;
    const now = Buffer.allocUnsafe(want);
    const n = readSync(this.#fd!, now, 0, want, 0);
    const seen = now.subarray(0, n);
    if (this.#head.length === 0) {
      this.#head = Buffer.from(seen);
      return true;
    }
    const common = Math.min(this.#head.length, seen.length);
    const same = this.#head.subarray(0, common).equals(seen.subarray(0, common));
    if (same && seen.length > this.#head.length) this.#head = Buffer.from(seen);
    return same;
  }

  async #drain(): Promise<void> {
    for (;;) {
      const n = readSync(this.#fd!, this.#buffer, 0, this.#buffer.length, this.#readOffset);
      if (n === 0) return;
      this.#readOffset += n;
      await this.#handleLines(this.#splitter.push(this.#buffer.subarray(0, n)));
    }
  }

  async #handleLines(items: ReturnType<LineSplitter['push']>): Promise<void> {
    const problems: ParseProblem[] = [];
    let events: AuditEvent[] = [];
    const flush = async (): Promise<void> => {
      if (events.length > 0) {
        const batch = events;
        events = [];
        await this.#ingest(batch);
      }
    };
    for (const item of items) {
      this.counts.lines++;
      if (item.kind === 'overlong') {
        problems.push({ where: `${this.path}:${item.line}`, message: `line of ${item.bytes} bytes is longer than the ${this.#splitter.maxLineBytes} accepted; skipped` });
        continue;
      }
      if (item.text.trim() === '') continue;
      const parsed = parseJson(item.text, `${this.path}:${item.line}`);
      if (!parsed.ok) {
        problems.push(parsed.problem);
        continue;
      }
      const found = eventsOfDocument(parsed.value, `${this.path}:${item.line}`);
      problems.push(...found.problems);
      for (const event of found.events) events.push(event);
      if (events.length >= (this.#options.batchEvents ?? 2_000)) await flush();
    }
    await flush();
    if (problems.length > 0) {
      this.counts.problems += problems.length;
      this.#options.onProblems?.(problems);
    }
    this.#saveState();
  }

  async #ingest(events: AuditEvent[]): Promise<void> {
    // A ledger failure must not lose lines: retry the batch until it is recorded or we stop.
    let delay = 250;
    for (;;) {
      try {
        const result = await this.#options.ingestor.ingest(events);
        this.counts.events += result.received - result.duplicates;
        this.#options.onBatch?.(result);
        return;
      } catch (error) {
        this.#options.onError?.(error);
        if (this.#stopped) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  #saveState(): void {
    const path = this.#options.statePath;
    if (path === undefined) return;
    const temporary = `${path}.tmp-${process.pid}`;
    writeFileSync(temporary, `${JSON.stringify({ path: this.path, dev: this.#dev, ino: this.#ino, offset: this.offset })}\n`);
    renameSync(temporary, path);
  }
}
