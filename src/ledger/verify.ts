// Verification of a whole log (or of what was added since a trusted checkpoint) without any
// decryption key: every entry is rehashed, the tree rebuilt, and every signed checkpoint (the log's
// own, one given by the caller, a witness's) must be signed by the log's key and match the rebuilt
// root at its size. Two checkpoints of one size with different roots are a fork; a checkpoint larger
// than the log is a truncation or rollback.
import { encodeBase64 } from './base64.ts';
import { openCheckpoint, type SignedCheckpoint } from './checkpoint.ts';
import { CompactRange, foldRange } from './compact-range.ts';
import { LedgerError } from './errors.ts';
import { equalHashes, leafHashText } from './hash.ts';
import type { Ledger } from './ledger.ts';
import { frontierNodes } from './tree-math.ts';
import type { Witness } from './witness.ts';

export type ProblemKind = 'corrupt' | 'mismatch' | 'fork' | 'rollback' | 'truncated' | 'signature' | 'tree';

export interface Problem {
  kind: ProblemKind;
  message: string;
  /** The tree size the problem concerns, where there is one. */
  size?: number;
}

export interface VerifyReport {
  ok: boolean;
  origin: string;
  size: number;
  root: string;
  /** Entries rehashed: [from, to). */
  checked: { from: number; to: number };
  /** Checkpoints whose root was compared with the rebuilt tree. */
  checkpointsMatched: number;
  latestCheckpoint?: number;
  witness?: { location: string; size?: number; updated: boolean };
  problems: Problem[];
}

export interface VerifyOptions {
  /** A checkpoint the caller trusts (the note's text); only later entries are rehashed. */
  fromCheckpoint?: string;
  witness?: Witness;
  onProgress?: (done: number, total: number) => void;
}

interface Source {
  checkpoint: SignedCheckpoint;
  from: string;
}

export async function verifyLedger(ledger: Ledger, options: VerifyOptions = {}): Promise<VerifyReport> {
  const problems: Problem[] = [];
  const head = await ledger.head();
  const sources: Source[] = [];
  const open = (note: string, from: string): SignedCheckpoint | undefined => {
    try {
      return openCheckpoint(note, ledger.verifier, ledger.origin, from);
    } catch (error) {
      problems.push({ kind: 'signature', message: `${from}: ${(error as Error).message}` });
      return undefined;
    }
  };
  const notes = await ledger.store.checkpoints();
  notes.forEach((note, i) => {
    const checkpoint = open(note, `the log's checkpoint #${i + 1}`);
    if (checkpoint) sources.push({ checkpoint, from: `the log's checkpoint #${i + 1}` });
  });
  let trusted: SignedCheckpoint | undefined;
  if (options.fromCheckpoint !== undefined) {
    trusted = open(options.fromCheckpoint, 'the given checkpoint');
    if (trusted === undefined) throw new LedgerError('signature', problems.at(-1)!.message);
    sources.push({ checkpoint: trusted, from: 'the given checkpoint' });
  }
  let witnessCheckpoint: SignedCheckpoint | undefined;
  if (options.witness !== undefined) {
    const note = await options.witness.load();
    if (note !== undefined) {
      witnessCheckpoint = open(note, `the witness ${options.witness.location}`);
      if (witnessCheckpoint) sources.push({ checkpoint: witnessCheckpoint, from: `the witness ${options.witness.location}` });
    }
  }

  // Forks: one size, two roots, both signed by the log.
  const bySize = new Map<number, Source>();
  for (const source of sources) {
    const seen = bySize.get(source.checkpoint.size);
    if (seen === undefined) bySize.set(source.checkpoint.size, source);
    else if (!equalHashes(seen.checkpoint.root, source.checkpoint.root)) {
      problems.push({
        kind: 'fork',
        size: source.checkpoint.size,
        message: `forked history: ${seen.from} and ${source.from} are both signed for size ${source.checkpoint.size} with different roots`,
      });
    }
  }
  // Checkpoints beyond the end of the log.
  for (const source of sources) {
    if (source.checkpoint.size <= head.size) continue;
    const kind: ProblemKind = source.from.startsWith('the witness') ? 'rollback' : 'truncated';
    problems.push({
      kind,
      size: source.checkpoint.size,
      message:
        kind === 'rollback'
          ? `rollback: ${source.from} has seen ${source.checkpoint.size} entries but the log now has ${head.size}`
          : `${source.from} covers ${source.checkpoint.size} entries but the log has ${head.size}: entries were removed from the end`,
    });
  }

  // Where to start: a trusted checkpoint whose root the stored tree reproduces, else the beginning.
  let range = new CompactRange();
  if (trusted !== undefined && trusted.size <= head.size) {
    const frontier = await ledger.store.nodes(frontierNodes(trusted.size));
    if (equalHashes(foldRange(frontier), trusted.root)) range = new CompactRange(trusted.size, frontier);
    else problems.push({ kind: 'tree', size: trusted.size, message: `the stored tree does not reproduce the given checkpoint's root at ${trusted.size}; verifying from the first entry` });
  }
  const from = range.size;
  const targets = [...new Set(sources.map((s) => s.checkpoint.size))].filter((size) => size >= from && size <= head.size).sort((a, b) => a - b);
  let matched = 0;
  let target = 0;
  const check = (): void => {
    while (target < targets.length && targets[target] === range.size) {
      const size = range.size;
      const root = range.root();
      for (const source of sources) {
        if (source.checkpoint.size !== size) continue;
        if (equalHashes(root, source.checkpoint.root)) matched++;
        else {
          problems.push({
            kind: 'mismatch',
            size,
            message: `the first ${size} entries do not hash to the root ${source.from} signed: an entry at or before index ${size - 1} was modified, removed, inserted or reordered`,
          });
        }
      }
      target++;
    }
  };
  check();
  let corrupt = false;
  try {
    let done = 0;
    for await (const batch of ledger.store.readLeaves(from, head.size)) {
      for (let i = 0; i < batch.length; i++) {
        range.appendText(leafHashText(batch[i]!.leaf));
        if (range.size === targets[target]) check();
      }
      done += batch.length;
      options.onProgress?.(done, head.size - from);
    }
  } catch (error) {
    if (!(error instanceof LedgerError) || error.reason !== 'corrupt') throw error;
    corrupt = true;
    const where = error.location ? `${error.location.file}: ` : '';
    problems.push({ kind: 'corrupt', size: range.size, message: `${where}${error.message}` });
  }
  if (!corrupt && !equalHashes(range.root(), head.root)) {
    problems.push({ kind: 'tree', size: head.size, message: `the entries hash to ${encodeBase64(range.root())} but the stored tree head is ${encodeBase64(head.root)}` });
  }

  const latest = sources.filter((s) => !s.from.startsWith('the witness')).reduce<SignedCheckpoint | undefined>((best, s) => (best === undefined || s.checkpoint.size > best.size ? s.checkpoint : best), undefined);
  let witness: VerifyReport['witness'];
  if (options.witness !== undefined) {
    let updated = false;
    if (problems.length === 0 && latest !== undefined && latest.size <= head.size && (witnessCheckpoint === undefined || latest.size > witnessCheckpoint.size)) {
      await options.witness.store(latest.note);
      updated = true;
    }
    witness = { location: options.witness.location, ...(witnessCheckpoint ? { size: witnessCheckpoint.size } : {}), updated };
  }
  return {
    ok: problems.length === 0,
    origin: ledger.origin,
    size: head.size,
    root: encodeBase64(head.root),
    checked: { from, to: corrupt ? range.size : head.size },
    checkpointsMatched: matched,
    ...(latest ? { latestCheckpoint: latest.size } : {}),
    ...(witness ? { witness } : {}),
    problems,
  };
}
