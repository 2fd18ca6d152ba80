import { dsseBundle, messageBundle, sha256 } from '../formats/bundle.ts';
import { preAuthEncoding, type DsseEnvelope } from '../formats/dsse.ts';
import { bundleMaterial, type SigningIdentity } from './identity.ts';

/** Signs an artifact's bytes: a v0.3 Sigstore bundle with a message signature, as `cosign sign-blob --bundle` writes. */
export async function signBlob(data: Buffer, identity: SigningIdentity): Promise<Buffer> {
  const signature = await identity.key.sign(data);
  return messageBundle(sha256(data), signature, bundleMaterial(identity));
}

/** Signs a payload in a DSSE envelope (signature over the pre-authentication encoding). */
export async function signEnvelope(payloadType: string, payload: Buffer, identity: SigningIdentity): Promise<DsseEnvelope> {
  const sig = await identity.key.sign(preAuthEncoding(payloadType, payload));
  // An empty keyid, as cosign writes: DSSE verifiers that compute key ids their own way skip a signature whose keyid differs.
  return { payloadType, payload, signatures: [{ keyid: '', sig }] };
}

export async function signEnvelopeBundle(payloadType: string, payload: Buffer, identity: SigningIdentity): Promise<{ envelope: DsseEnvelope; bundle: Buffer }> {
  const envelope = await signEnvelope(payloadType, payload, identity);
  return { envelope, bundle: dsseBundle(envelope, bundleMaterial(identity)) };
}
