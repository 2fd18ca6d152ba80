import { BulwarkError } from '../../core/index.ts';
import { dsseBundle, messageBundle, sha256 } from '../formats/bundle.ts';
import { preAuthEncoding, type DsseEnvelope } from '../formats/dsse.ts';
import { bundleMaterial, type SigningIdentity } from './identity.ts';
import type { TransparencyOptions } from './rekor.ts';

/**
 * Signs an artifact's bytes: a v0.3 Sigstore bundle with a message signature, as `cosign sign-blob
 * --bundle` writes. With a transparency log configured, the signature is also recorded there.
 */
export async function signBlob(data: Buffer, identity: SigningIdentity, transparency?: TransparencyOptions): Promise<Buffer> {
  requireLogWhenKeyless(identity, transparency);
  // The Sigstore signing library (and its HTTP stack) loads only when a log is used.
  if (transparency !== undefined) return (await import('./rekor.ts')).signBlobWithLog(data, identity, transparency);
  const signature = await identity.key.sign(data);
  return messageBundle(sha256(data), signature, bundleMaterial(identity));
}

/**
 * A keyless certificate lives minutes: only a transparency-log entry made while it was valid lets
 * anyone verify the signature later, so keyless signing without a log is refused.
 */
export function requireLogWhenKeyless(identity: SigningIdentity, transparency: TransparencyOptions | undefined): void {
  if (identity.keyless !== undefined && transparency === undefined) {
    throw new BulwarkError('E_USAGE', 'keyless signing (--fulcio-url) needs a transparency log (--rekor-url): the short-lived certificate is only verifiable through the log entry');
  }
}

/** Signs a payload in a DSSE envelope (signature over the pre-authentication encoding). */
export async function signEnvelope(payloadType: string, payload: Buffer, identity: SigningIdentity): Promise<DsseEnvelope> {
  const sig = await identity.key.sign(preAuthEncoding(payloadType, payload));
  // An empty keyid, as cosign writes: DSSE verifiers that compute key ids their own way skip a signature whose keyid differs.
  return { payloadType, payload, signatures: [{ keyid: '', sig }] };
}

export async function signEnvelopeBundle(payloadType: string, payload: Buffer, identity: SigningIdentity, transparency?: TransparencyOptions): Promise<{ bundle: Buffer }> {
  requireLogWhenKeyless(identity, transparency);
  if (transparency !== undefined) return { bundle: await (await import('./rekor.ts')).signEnvelopeWithLog(payloadType, payload, identity, transparency) };
  const envelope = await signEnvelope(payloadType, payload, identity);
  return { bundle: dsseBundle(envelope, bundleMaterial(identity)) };
}
