// cosign's classic layout records a transparency-log entry next to a signature as the annotation
// `dev.sigstore.cosign/bundle`: the log's signed entry timestamp (SET) over the entry it integrated.
//   {"SignedEntryTimestamp":"<base64>","Payload":{"body":"<base64 entry>","integratedTime":<s>,"logIndex":<n>,"logID":"<hex>"}}
// Read here, and turned into the Sigstore bundle that says the same thing, so that one verifier judges
// classic signatures and bundles alike (log key, SET, entry ↔ signature, signing time).
import type { Bundle, TransparencyLogEntry } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { decodeBase64 } from '../encoding/base64.ts';
import { isRecord, parseJson } from '../encoding/json.ts';
import { parseError } from '../errors.ts';
import { keyHint } from '../keys/algorithm.ts';
import type { KeyObject } from 'node:crypto';
import type { Certificate } from '../x509/certificate.ts';
import { sha256, type ParsedBundle } from './bundle.ts';
import type { DsseEnvelope } from './dsse.ts';

export interface RekorBundle {
  signedEntryTimestamp: Buffer;
  /** The canonical entry, as the log hashed it. */
  body: Buffer;
  /** Seconds since the epoch: when the log integrated the entry. */
  integratedTime: number;
  logIndex: number;
  /** SHA-256 of the log's public key (DER). */
  logId: Buffer;
  /** From the body: `hashedrekord`, `intoto`, `dsse`… and its API version. */
  kind: string;
  apiVersion: string;
}

/** Much more than a log entry of one signature with its certificate needs. */
const MAX_REKOR_BUNDLE_BYTES = 256 * 1024;
const HEX = /^[0-9a-f]{64}$/;

export function parseRekorBundle(text: string, what: string): RekorBundle {
  const document = parseJson(text, what, MAX_REKOR_BUNDLE_BYTES);
  if (!isRecord(document)) throw parseError(what, 'a Rekor bundle must be a JSON object');
  if (typeof document.SignedEntryTimestamp !== 'string') throw parseError(what, '"SignedEntryTimestamp" must be a base64 string');
  const payload = document.Payload;
  if (!isRecord(payload)) throw parseError(what, '"Payload" must be an object');
  if (typeof payload.body !== 'string') throw parseError(what, '"Payload.body" must be a base64 string');
  const integratedTime = payload.integratedTime;
  const logIndex = payload.logIndex;
  if (typeof integratedTime !== 'number' || !Number.isSafeInteger(integratedTime) || integratedTime <= 0) throw parseError(what, '"Payload.integratedTime" must be a positive integer (seconds)');
  if (typeof logIndex !== 'number' || !Number.isSafeInteger(logIndex) || logIndex < 0) throw parseError(what, '"Payload.logIndex" must be a non-negative integer');
  if (typeof payload.logID !== 'string' || !HEX.test(payload.logID)) throw parseError(what, '"Payload.logID" must be 64 lower-case hex digits');
  const body = decodeBase64(payload.body, `${what}: Payload.body`);
  const entry = parseJson(body, `${what}: Payload.body`, MAX_REKOR_BUNDLE_BYTES);
  if (!isRecord(entry) || typeof entry.kind !== 'string' || typeof entry.apiVersion !== 'string') throw parseError(what, 'the log entry names no "kind" and "apiVersion"');
  return {
    signedEntryTimestamp: decodeBase64(document.SignedEntryTimestamp, `${what}: SignedEntryTimestamp`),
    body,
    integratedTime,
    logIndex,
    logId: Buffer.from(payload.logID, 'hex'),
    kind: entry.kind,
    apiVersion: entry.apiVersion,
  };
}

export function transparencyLogEntry(rekor: RekorBundle): TransparencyLogEntry {
  return {
    logIndex: String(rekor.logIndex),
    logId: { keyId: rekor.logId },
    kindVersion: { kind: rekor.kind, version: rekor.apiVersion },
    integratedTime: String(rekor.integratedTime),
    inclusionPromise: { signedEntryTimestamp: rekor.signedEntryTimestamp },
    inclusionProof: undefined,
    canonicalizedBody: rekor.body,
  };
}

const V01 = 'application/vnd.dev.sigstore.bundle+json;version=0.1';

export interface ClassicMaterial {
  /** The signing certificate and the chain shipped with it (untrusted), or the signer's key. */
  certificate?: Certificate;
  chain: readonly Certificate[];
  key?: KeyObject;
  rekor?: RekorBundle;
}

function verificationMaterial(material: ClassicMaterial): Bundle['verificationMaterial'] {
  const tlogEntries = material.rekor === undefined ? [] : [transparencyLogEntry(material.rekor)];
  const timestampVerificationData = { rfc3161Timestamps: [] };
  if (material.certificate !== undefined) {
    const certificates = [material.certificate, ...material.chain].map((cert) => ({ rawBytes: cert.der }));
    return { content: { $case: 'x509CertificateChain', x509CertificateChain: { certificates } }, tlogEntries, timestampVerificationData };
  }
  return { content: { $case: 'publicKey', publicKey: { hint: material.key === undefined ? '' : keyHint(material.key) } }, tlogEntries, timestampVerificationData };
}

/** A classic signature (simple-signing payload + signature annotation) as the v0.1 bundle that states the same. */
export function classicSignatureBundle(payload: Buffer, signature: Buffer, material: ClassicMaterial): ParsedBundle {
  const bundle: Bundle = {
    mediaType: V01,
    verificationMaterial: verificationMaterial(material),
    content: { $case: 'messageSignature', messageSignature: { messageDigest: { algorithm: HashAlgorithm.SHA2_256, digest: sha256(payload) }, signature } },
  };
  return { bundle, digestAbsent: false, certificates: material.certificate === undefined ? [] : [material.certificate, ...material.chain] };
}

/** A classic attestation (a DSSE envelope layer) as the v0.1 bundle that states the same. */
export function classicAttestationBundle(envelope: DsseEnvelope, material: ClassicMaterial): ParsedBundle {
  const bundle: Bundle = {
    mediaType: V01,
    verificationMaterial: verificationMaterial(material),
    content: {
      $case: 'dsseEnvelope',
      dsseEnvelope: { payload: envelope.payload, payloadType: envelope.payloadType, signatures: envelope.signatures.map((s) => ({ keyid: s.keyid ?? '', sig: s.sig })) },
    },
  };
  return { bundle, digestAbsent: false, certificates: material.certificate === undefined ? [] : [material.certificate, ...material.chain] };
}

/** The `dev.sigstore.cosign/bundle` annotation for a log entry with an inclusion promise, as cosign writes it. */
export function rekorAnnotation(entry: TransparencyLogEntry): string {
  if (entry.inclusionPromise === undefined) throw parseError('transparency-log entry', 'has no signed entry timestamp (inclusion promise) to record');
  return JSON.stringify({
    SignedEntryTimestamp: Buffer.from(entry.inclusionPromise.signedEntryTimestamp).toString('base64'),
    Payload: {
      body: Buffer.from(entry.canonicalizedBody).toString('base64'),
      integratedTime: Number(entry.integratedTime),
      logIndex: Number(entry.logIndex),
      logID: Buffer.from(entry.logId.keyId).toString('hex'),
    },
  });
}
