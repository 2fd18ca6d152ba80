// Dead Simple Signing Envelope: the signature covers the pre-authentication encoding (PAE) of the
// payload type and payload, so a payload can never be reinterpreted as another type.
import { decodeBase64, encodeBase64 } from '../encoding/base64.ts';
import { isRecord, parseJson } from '../encoding/json.ts';
import { parseError } from '../errors.ts';
import { limits } from '../limits.ts';

export interface DsseSignature {
  keyid: string;
  sig: Buffer;
}

export interface DsseEnvelope {
  payloadType: string;
  payload: Buffer;
  signatures: DsseSignature[];
}

const MAX_SIGNATURES = 16;

/** `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal bytes. */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.byteLength} `), payload]);
}

export function parseEnvelope(bytes: Uint8Array, what: string, maxBytes: number = limits.attestationBlobBytes): DsseEnvelope {
  return envelopeFromJson(parseJson(bytes, what, maxBytes), what);
}

export function envelopeFromJson(document: unknown, what: string): DsseEnvelope {
  if (!isRecord(document)) throw parseError(what, 'a DSSE envelope must be a JSON object');
  if (typeof document.payloadType !== 'string' || document.payloadType === '') throw parseError(what, '"payloadType" must be a non-empty string');
  if (typeof document.payload !== 'string') throw parseError(what, '"payload" must be a base64 string');
  if (!Array.isArray(document.signatures) || document.signatures.length === 0) throw parseError(what, '"signatures" must be a non-empty array');
  if (document.signatures.length > MAX_SIGNATURES) throw parseError(what, `more than ${MAX_SIGNATURES} signatures`);
  const signatures = document.signatures.map((entry: unknown, index: number) => {
    if (!isRecord(entry) || typeof entry.sig !== 'string') throw parseError(what, `signatures[${index}].sig must be a base64 string`);
    if (entry.keyid !== undefined && entry.keyid !== null && typeof entry.keyid !== 'string') throw parseError(what, `signatures[${index}].keyid must be a string`);
    const sig = decodeBase64(entry.sig, `${what}: signatures[${index}].sig`, { urlSafe: true });
    if (sig.length === 0) throw parseError(what, `signatures[${index}].sig is empty`);
    return { keyid: typeof entry.keyid === 'string' ? entry.keyid : '', sig };
  });
  return { payloadType: document.payloadType, payload: decodeBase64(document.payload, `${what}: payload`, { urlSafe: true }), signatures };
}

export function serializeEnvelope(envelope: DsseEnvelope): Buffer {
  return Buffer.from(
    JSON.stringify({
      payloadType: envelope.payloadType,
      payload: encodeBase64(envelope.payload),
      signatures: envelope.signatures.map((signature) => ({ keyid: signature.keyid, sig: encodeBase64(signature.sig) })),
    }),
  );
}
