// A client for Fulcio's v2 API (`POST /api/v2/signingCert`): an OIDC identity token and a proof that
// the caller holds a key are exchanged for a short-lived code-signing certificate for that key.
//
// Bulwark asks the CA itself rather than through the Sigstore signing library because the library keeps
// only the leaf of the chain the CA answers with, while cosign's classic layout records the chain above
// it as well (`dev.sigstore.cosign/chain`): verifiers that are given only a root (`--ca-roots`) need the
// intermediate from the signature to build the path.
import type { KeyObject } from 'node:crypto';
import { BulwarkError } from '../../core/index.ts';
import { encodeBase64 } from '../encoding/base64.ts';
import { isRecord, parseJson } from '../encoding/json.ts';
import { readBoundedStream } from '../../core/bounded-stream.ts';
import { parseError, tooLarge } from '../errors.ts';
import { publicKeyPem, sameKey } from '../keys/public-key.ts';
import type { SigningKey } from '../keys/signing-key.ts';
import { limits } from '../limits.ts';
import { parseCertificatesPem, type Certificate } from '../x509/certificate.ts';

export interface IssuedCertificate {
  /** The certificate for the caller's key. */
  certificate: Certificate;
  /** The CA's certificates above it, issuer first (Fulcio sends the intermediate, then the root). */
  chain: Certificate[];
}

export interface FulcioRequest {
  /** Base URL of the CA, already checked to be HTTPS or loopback (`serviceUrl`). */
  fulcioUrl: string;
  /** Secret: sent to the CA only, never part of a message. */
  identityToken: string;
  key: SigningKey;
  /** Deadline for one attempt, response body included. */
  timeoutMs?: number;
  /** Further attempts after a connection failure, a timeout or a 5xx/429 answer. */
  retries?: number;
}

/** A chain of three PEM certificates is ~3 KiB; this leaves room for large RSA chains, not for abuse. */
export const MAX_RESPONSE_BYTES = 256 * 1024;
const MAX_TOKEN_BYTES = 64 * 1024;
const RETRY_DELAY_MS = 250;

/**
 * The subject the proof of possession signs, as Fulcio derives it from the token: the e-mail address
 * when the token has one (which the issuer must have verified), else `sub`.
 */
export function tokenSubject(token: string): string {
  const what = 'the identity token';
  if (token.length > MAX_TOKEN_BYTES) throw tooLarge(what, token.length, MAX_TOKEN_BYTES);
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === '' || !/^[A-Za-z0-9_-]+={0,2}$/.test(parts[1]!)) throw new BulwarkError('E_INPUT', `${what} is not a JWT (three base64url parts separated by dots)`);
  const claims = parseJson(Buffer.from(parts[1]!, 'base64url'), `${what} claims`, MAX_TOKEN_BYTES);
  if (!isRecord(claims)) throw new BulwarkError('E_INPUT', `${what} claims are not a JSON object`);
  if (claims.email !== undefined) {
    if (typeof claims.email !== 'string' || claims.email === '') throw new BulwarkError('E_INPUT', `${what}: "email" must be a non-empty string`);
    if (claims.email_verified !== true) throw new BulwarkError('E_INPUT', `${what}: the issuer has not verified the e-mail address ("email_verified" is not true)`);
    return claims.email;
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new BulwarkError('E_INPUT', `${what} has neither "email" nor "sub"`);
  return claims.sub;
}

/**
 * Reads a `signingCert` answer: `signedCertificateEmbeddedSct` (the SCT is inside the certificate) or
 * `signedCertificateDetachedSct` (only the chain is kept), each with `chain.certificates`, PEM, leaf first.
 */
export function parseSigningCertificateResponse(body: Uint8Array, what: string): Certificate[] {
  const document = parseJson(body, what, MAX_RESPONSE_BYTES);
  if (!isRecord(document)) throw parseError(what, 'must be a JSON object');
  const field = document.signedCertificateEmbeddedSct !== undefined ? 'signedCertificateEmbeddedSct' : 'signedCertificateDetachedSct';
  const signed = document[field];
  if (!isRecord(signed)) throw parseError(what, 'has neither "signedCertificateEmbeddedSct" nor "signedCertificateDetachedSct"');
  const chain = signed.chain;
  if (!isRecord(chain) || !Array.isArray(chain.certificates)) throw parseError(what, `"${field}.chain.certificates" must be an array`);
  const pems: unknown[] = chain.certificates;
  if (pems.length === 0) throw parseError(what, `"${field}.chain.certificates" is empty`);
  if (pems.length > limits.certificatesPerChain) throw parseError(what, `"${field}.chain.certificates" has ${pems.length} certificates, more than ${limits.certificatesPerChain}`);
  return pems.map((pem, index) => {
    const where = `${what}: ${field}.chain.certificates[${index}]`;
    if (typeof pem !== 'string') throw parseError(where, 'must be a PEM string');
    const certificates = parseCertificatesPem(pem, where);
    if (certificates.length !== 1) throw parseError(where, `must hold one certificate, not ${certificates.length}`);
    return certificates[0]!;
  });
}

/** Fulcio's name for the key's algorithm in the request. */
function algorithmName(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return 'ECDSA';
    case 'ed25519':
      return 'ED25519';
    case 'rsa':
    case 'rsa-pss':
      return 'RSA_PSS';
    default:
      throw new BulwarkError('E_INPUT', `a ${key.asymmetricKeyType ?? 'unknown'} key cannot be certified by Fulcio`);
  }
}

/** Gets a certificate for `key` from the CA, and checks that it certifies that key. */
export async function requestSigningCertificate(request: FulcioRequest): Promise<IssuedCertificate> {
  const subject = tokenSubject(request.identityToken);
  const proof = await request.key.sign(Buffer.from(subject, 'utf8'));
  const body = JSON.stringify({
    credentials: { oidcIdentityToken: request.identityToken },
    publicKeyRequest: { publicKey: { algorithm: algorithmName(request.key.publicKey), content: publicKeyPem(request.key.publicKey) }, proofOfPossession: encodeBase64(proof) },
  });
  const url = `${request.fulcioUrl}/api/v2/signingCert`;
  const fail = (message: string, cause?: unknown): BulwarkError => new BulwarkError('E_IO', `certificate authority ${request.fulcioUrl}: ${redact(message, request.identityToken)}`, cause === undefined ? undefined : { cause });
  const retries = request.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    let status: number;
    let answer: Buffer;
    try {
      ({ status, answer } = await post(url, body, request.timeoutMs ?? 30_000));
    } catch (error) {
      if (error instanceof BulwarkError) throw fail(error.message, error);
      if (attempt < retries) {
        await delay(RETRY_DELAY_MS * (attempt + 1));
        continue;
      }
      const name = (error as Error).name;
      throw fail(name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${request.timeoutMs ?? 30_000} ms` : `cannot reach it (${describeCause(error)})`, error);
    }
    if ((status >= 500 || status === 429) && attempt < retries) {
      await delay(RETRY_DELAY_MS * (attempt + 1));
      continue;
    }
    if (status !== 200 && status !== 201) throw fail(`HTTP ${status}: ${errorMessage(answer)}`);
    let certificates: Certificate[];
    try {
      certificates = parseSigningCertificateResponse(answer, 'the signing-certificate response');
    } catch (error) {
      throw fail((error as Error).message, error);
    }
    const [certificate, ...chain] = certificates as [Certificate, ...Certificate[]];
    if (!sameKey(certificate.publicKey, request.key.publicKey)) throw fail('it answered with a certificate for another key');
    return { certificate, chain };
  }
}

async function post(url: string, body: string, timeoutMs: number): Promise<{ status: number; answer: Buffer }> {
  // One deadline for the request and its body: a CA that answers slowly is as unusable as a silent one.
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, answer: await readBounded(response, MAX_RESPONSE_BYTES, 'the signing-certificate response') };
}

async function readBounded(response: Response, max: number, what: string): Promise<Buffer> {
  const read = await readBoundedStream(response.body, max, response.headers.get('content-length'));
  if (!read.ok) throw tooLarge(what, read.size, max);
  return read.bytes;
}

/** The CA's own explanation (`{"code":…,"message":…}`), or the start of whatever it sent. */
function errorMessage(answer: Buffer): string {
  try {
    const document = parseJson(answer, 'error', MAX_RESPONSE_BYTES);
    if (isRecord(document) && typeof document.message === 'string') return document.message.slice(0, 500);
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = answer.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
  return text === '' ? 'no explanation given' : text;
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

function redact(message: string, token: string): string {
  return token === '' ? message : message.replaceAll(token, '<identity token>');
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
