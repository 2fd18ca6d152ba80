// C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures: text ending in a newline, a blank
// line, then signature lines "— <key name> base64(key ID ‖ signature)". Keys use the text forms of the
// Go reference implementation (golang.org/x/mod/sumdb/note), so other tools can read them:
//   verifier key  <name>+<key ID, 8 hex digits>+base64(0x01 ‖ 32-byte public key)
//   signer key    PRIVATE+KEY+<name>+<key ID>+base64(0x01 ‖ 32-byte seed)
import { createPrivateKey, createPublicKey, hash, sign, verify, type KeyObject } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { LedgerError } from './errors.ts';

export const ED25519_TYPE = 0x01;
export const MAX_NOTE_BYTES = 64 * 1024;
/** The spec asks verifiers to accept at least 16; Go's reference stops at 100. */
export const MAX_SIGNATURES = 100;

const EM_DASH_PREFIX = '\u2014 ';
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the key ID. */
  signature: Buffer;
}

export interface Note {
  /** The signed text, ending in a newline. */
  text: string;
  signatures: NoteSignature[];
}

export interface NoteVerifier {
  name: string;
  keyId: number;
  publicKey: Buffer;
  verify(text: Buffer, signature: Buffer): boolean;
}

export interface NoteSigner {
  name: string;
  keyId: number;
  publicKey: Buffer;
  sign(text: Buffer): Buffer;
}

/** Key names: non-empty, no Unicode space, no '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+\u0085\u180e]/u.test(name) && !hasControl(name);
}

function hasControl(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0009\u000b-\u001f]/.test(text);
}

export function ed25519KeyId(name: string, publicKey: Uint8Array): number {
  const digest = hash('sha256', Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a, ED25519_TYPE]), publicKey]), 'buffer');
  return digest.readUInt32BE(0);
}

const hex8 = (id: number): string => id.toString(16).padStart(8, '0');

export function generateSigner(name: string): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) throw new LedgerError('usage', `"${name}" is not a valid key name (non-empty, no spaces, no "+")`);
  const seed = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const signer = signerFromSeed(name, seed);
  return { signerKey: `PRIVATE+KEY+${name}+${hex8(signer.keyId)}+${encodeBase64(Buffer.concat([Buffer.from([ED25519_TYPE]), seed]))}`, verifierKey: formatVerifierKey(signer) };
}

function signerFromSeed(name: string, seed: Buffer): NoteSigner {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  const keyId = ed25519KeyId(name, publicKey);
  return { name, keyId, publicKey, sign: (text) => sign(null, text, privateKey) };
}

function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

export function formatVerifierKey(key: { name: string; keyId: number; publicKey: Uint8Array }): string {
  return `${key.name}+${hex8(key.keyId)}+${encodeBase64(Buffer.concat([Buffer.from([ED25519_TYPE]), key.publicKey]))}`;
}

/** `parts` "+"-separated fields; the last (base64) may itself contain "+". */
function splitKey(text: string, parts: number, what: string): string[] {
  const fields: string[] = [];
  let rest = text.trim();
  for (let i = 0; i < parts - 1; i++) {
    const plus = rest.indexOf('+');
    if (plus < 0) throw new LedgerError('parse', `not a ${what}: expected ${parts} "+"-separated fields`);
    fields.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  fields.push(rest);
  return fields;
}

function keyMaterial(encoded: string, name: string, keyIdHex: string, what: string): { material: Buffer; keyId: number } {
  if (!isValidKeyName(name)) throw new LedgerError('parse', `${what}: invalid key name`);
  if (!/^[0-9a-f]{8}$/.test(keyIdHex)) throw new LedgerError('parse', `${what}: the key ID must be 8 lowercase hex digits`);
  const bytes = decodeBase64(encoded);
  if (bytes === undefined || bytes.length !== 33) throw new LedgerError('parse', `${what}: the key must be base64 of 33 bytes`);
  if (bytes[0] !== ED25519_TYPE) throw new LedgerError('parse', `${what}: only Ed25519 keys (type 0x01) are supported`);
  return { material: bytes.subarray(1), keyId: Number.parseInt(keyIdHex, 16) };
}

export function parseSignerKey(text: string): NoteSigner {
  const [p, k, name, id, encoded] = splitKey(text, 5, 'signer key') as [string, string, string, string, string];
  if (p !== 'PRIVATE' || k !== 'KEY') throw new LedgerError('parse', 'not a signer key: it must start with PRIVATE+KEY+');
  const { material, keyId } = keyMaterial(encoded, name, id, 'signer key');
  const signer = signerFromSeed(name, Buffer.from(material));
  if (signer.keyId !== keyId) throw new LedgerError('parse', 'signer key: the key ID does not match the name and key');
  return signer;
}

export function parseVerifierKey(text: string): NoteVerifier {
  const [name, id, encoded] = splitKey(text, 3, 'verifier key') as [string, string, string];
  const { material, keyId } = keyMaterial(encoded, name, id, 'verifier key');
  const publicKey = Buffer.from(material);
  if (ed25519KeyId(name, publicKey) !== keyId) throw new LedgerError('parse', 'verifier key: the key ID does not match the name and key');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch (error) {
    throw new LedgerError('parse', 'verifier key: not a valid Ed25519 public key', { cause: error });
  }
  return { name, keyId, publicKey, verify: (message, signature) => signature.length === 64 && verify(null, message, key, signature) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses the note's structure; signatures are not checked here (see openNote). */
export function parseNote(input: string | Uint8Array, file = '<note>'): Note {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  const fail = (message: string): never => {
    throw new LedgerError('parse', `not a signed note: ${message}`, { location: { file } });
  };
  if (size > MAX_NOTE_BYTES) fail(`larger than ${MAX_NOTE_BYTES} bytes`);
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = utf8.decode(input);
    } catch {
      return fail('not valid UTF-8');
    }
  }
  if (hasControl(text)) fail('contains a control character other than newline');
  if (/[\uD800-\uDFFF]/u.test(text)) fail('not valid UTF-8 (a lone surrogate)');
  const split = text.lastIndexOf('\n\n');
  if (split < 0) fail('no blank line before the signatures');
  const body = text.slice(0, split + 1);
  const signatureBlock = text.slice(split + 2);
  if (!signatureBlock.endsWith('\n')) fail('the last signature line does not end with a newline');
  const lines = signatureBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) fail(`more than ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line, i) => {
    if (!line.startsWith(EM_DASH_PREFIX)) fail(`signature line ${i + 1} does not start with "— "`);
    const rest = line.slice(EM_DASH_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space < 0) fail(`signature line ${i + 1} has no space between key name and signature`);
    const name = rest.slice(0, space);
    if (!isValidKeyName(name)) fail(`signature line ${i + 1} has an invalid key name`);
    const bytes = decodeBase64(rest.slice(space + 1));
    if (bytes === undefined || bytes.length < 5) fail(`signature line ${i + 1} is not base64 of a key ID and a signature`);
    return { name, keyId: bytes!.readUInt32BE(0), signature: bytes!.subarray(4) };
  });
  return { text: body, signatures };
}

export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!text.endsWith('\n') || text.includes('\n\n') || text === '\n' || hasControl(text)) {
    throw new LedgerError('usage', 'note text must be non-empty lines, each ending in a newline, without control characters');
  }
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((signer) => {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(signer.keyId);
    return `${EM_DASH_PREFIX}${signer.name} ${encodeBase64(Buffer.concat([id, signer.sign(message)]))}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/**
 * Parses a note and checks it against trusted keys as the spec requires: signatures from unknown keys
 * are ignored, a failing signature from a known key rejects the note, and at least one known key must
 * have signed it. Returns the text and the names of the keys that verified.
 */
export function openNote(input: string | Uint8Array, verifiers: readonly NoteVerifier[], file = '<note>'): { text: string; signedBy: string[] } {
  const note = parseNote(input, file);
  const message = Buffer.from(note.text, 'utf8');
  const signedBy: string[] = [];
  for (const signature of note.signatures) {
    const verifier = verifiers.find((v) => v.name === signature.name && v.keyId === signature.keyId);
    if (verifier === undefined) continue;
    if (!verifier.verify(message, signature.signature)) {
      throw new LedgerError('signature', `the signature of ${signature.name} does not verify`, { location: { file } });
    }
    signedBy.push(signature.name);
  }
  if (signedBy.length === 0) throw new LedgerError('signature', `no signature from a trusted key (${verifiers.map((v) => v.name).join(', ') || 'none given'})`, { location: { file } });
  return { text: note.text, signedBy };
}
