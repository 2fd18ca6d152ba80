// What `bulwark ledger prove` prints: the proof for the requested tree (by default the latest signed
// checkpoint that covers it) with that checkpoint attached, checked before it is handed out.
import type { SignedCheckpoint } from './checkpoint.ts';
import { LedgerError } from './errors.ts';
import type { Ledger } from './ledger.ts';
import { formatConsistencyJson, formatInclusionJson } from './proof-json.ts';
import { verifyConsistency, verifyInclusion } from './proof-verify.ts';

export async function proveForCli(ledger: Ledger, request: { entry?: number; from?: number; size?: number }): Promise<{ json: string; warning?: string }> {
  const head = await ledger.head();
  const checkpoints = await ledger.checkpoints();
  const needed = request.entry !== undefined ? request.entry + 1 : request.from!;
  let checkpoint: SignedCheckpoint | undefined;
  let size = request.size;
  if (size === undefined) {
    checkpoint = checkpoints.filter((c) => c.size >= needed && c.size <= head.size).sort((a, b) => b.size - a.size)[0];
    size = checkpoint?.size ?? head.size;
  } else checkpoint = checkpoints.find((c) => c.size === size);
  if (size > head.size) throw new LedgerError('usage', `the log has ${head.size} entries, fewer than ${size}`);
  const warning = checkpoint === undefined ? `no signed checkpoint covers size ${size}: the proof's root is unsigned (run bulwark ledger checkpoint)` : undefined;
  if (request.entry !== undefined) {
    const proof = await ledger.proveInclusion(request.entry, size);
    const verdict = verifyInclusion(proof);
    if (!verdict.valid || (checkpoint && !checkpoint.root.equals(proof.root))) throw new LedgerError('corrupt', `the stored tree gives a proof that does not verify (${verdict.valid ? 'root differs from the checkpoint' : verdict.reason}); run bulwark ledger verify`);
    return { json: formatInclusionJson(proof, checkpoint?.note), ...(warning ? { warning } : {}) };
  }
  const proof = await ledger.proveConsistency(request.from!, size);
  const verdict = verifyConsistency(proof);
  if (!verdict.valid || (checkpoint && !checkpoint.root.equals(proof.root2))) throw new LedgerError('corrupt', `the stored tree gives a proof that does not verify (${verdict.valid ? 'root differs from the checkpoint' : verdict.reason}); run bulwark ledger verify`);
  return { json: formatConsistencyJson(proof, checkpoint?.note), ...(warning ? { warning } : {}) };
}
