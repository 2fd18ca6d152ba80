// Checkpoints (c2sp.org/tlog-checkpoint): a signed note whose text is the origin, the tree size in
// decimal without leading zeroes, the base64 root hash, then optional non-empty extension lines.
import { decodeBase64, encodeBase64 } from './base64.ts';
import { LedgerError } from './errors.ts';
import { HASH_SIZE } from './hash.ts';
import { openNote, signNote, type NoteSigner, type NoteVerifier } from './note.ts';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  extensions: string[];
}

export interface SignedCheckpoint extends Checkpoint {
  /** The whole signed note, as issued. */
  note: string;
}

export function formatCheckpointText(checkpoint: Checkpoint): string {
  return [checkpoint.origin, String(checkpoint.size), encodeBase64(checkpoint.root), ...checkpoint.extensions].join('\n') + '\n';
}

export function parseCheckpointText(text: string, file = '<checkpoint>'): Checkpoint {
  const fail = (message: string): never => {
    throw new LedgerError('parse', `not a checkpoint: ${message}`, { location: { file } });
  };
  if (!text.endsWith('\n')) fail('the text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) fail('it needs an origin, a tree size and a root hash line');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0) fail('the origin line is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) fail(`line 2, the tree size, must be a decimal number without leading zeroes, got "${sizeText.slice(0, 40)}"`);
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) fail(`tree size ${sizeText.slice(0, 40)} is beyond what this implementation handles (2^53-1)`);
  const root = decodeBase64(rootText);
  if (root === undefined || root.length !== HASH_SIZE) fail(`line 3, the root hash, must be base64 of ${HASH_SIZE} bytes`);
  if (extensions.some((line) => line.length === 0)) fail('extension lines must not be empty');
  return { origin, size, root: root!, extensions };
}

export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner): SignedCheckpoint {
  const note = signNote(formatCheckpointText(checkpoint), [signer]);
  return { ...checkpoint, note };
}

/** Verifies the note's signature with the log's key and parses its text; the origin must match. */
export function openCheckpoint(note: string | Uint8Array, verifier: NoteVerifier, origin: string, file = '<checkpoint>'): SignedCheckpoint {
  const { text } = openNote(note, [verifier], file);
  const checkpoint = parseCheckpointText(text, file);
  if (checkpoint.origin !== origin) throw new LedgerError('signature', `checkpoint of log "${checkpoint.origin}", expected "${origin}"`, { location: { file } });
  return { ...checkpoint, note: typeof note === 'string' ? note : Buffer.from(note).toString('utf8') };
}
