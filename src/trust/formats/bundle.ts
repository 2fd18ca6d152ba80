// Sigstore bundles: one signature with everything needed to verify it offline (key hint or
// certificate, transparency log entries, timestamps), as `cosign sign-blob --bundle` and the
// Sigstore clients write them.
import { createHash } from 'node:crypto';
import {
  bundleFromJSON,
  bundleToJSON,
  toDSSEBundle,
  toMessageSignatureBundle,
  type Bundle,
} from '@sigstore/bundle';
import { decodeBase64 } from '../encoding/base64.ts';
import { isRecord, parseJson } from '../encoding/json.ts';
import { parseError } from '../errors.ts';
import { limits } from '../limits.ts';
import { parseCertificate, type Certificate } from '../x509/certificate.ts';
import type { DsseEnvelope } from './dsse.ts';

export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const KNOWN_MEDIA_TYPES = new Set([
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  BUNDLE_V03_MEDIA_TYPE,
]);

export interface ParsedBundle {
  bundle: Bundle;
  /**
   * The message signature records no digest (cosign omits it for Ed25519, which signs the raw
   * message). A placeholder fills the field; verifiers check the signature over the artifact itself.
   */
  digestAbsent: boolean;
  /** Leaf first, then any intermediates the bundle carries (v0.1/v0.2 chains). Empty for key bundles. */
  certificates: Certificate[];
}

export function parseBundle(bytes: Uint8Array | string, what: string, maxBytes: number = limits.attestationBlobBytes): ParsedBundle {
  const document = parseJson(bytes, what, maxBytes);
  const { normalised: lifted, extraChain } = liftV03Chain(document, what);
  const { normalised, digestAbsent } = fillAbsentDigest(lifted);
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(normalised);
  } catch (error) {
    throw parseError(what, `not a valid Sigstore bundle: ${(error as Error).message}`, error);
  }
  if (!KNOWN_MEDIA_TYPES.has(bundle.mediaType)) throw parseError(what, `unsupported bundle mediaType ${JSON.stringify(bundle.mediaType)}`);
  const material = bundle.verificationMaterial.content;
  let raw: Uint8Array[] = [];
  if (material.$case === 'certificate') raw = [material.certificate.rawBytes, ...extraChain];
  else if (material.$case === 'x509CertificateChain') raw = material.x509CertificateChain.certificates.map((cert) => cert.rawBytes);
  if (material.$case === 'x509CertificateChain' && raw.length === 0) throw parseError(what, 'the certificate chain is empty');
  if (raw.length > limits.certificatesPerChain) throw parseError(what, `the certificate chain has more than ${limits.certificatesPerChain} certificates`);
  const certificates = raw.map((der, index) => parseCertificate(der, `${what}: certificate ${index + 1}`));
  // A chain that carries its own root would let the bundle vouch for itself; trust anchors come only from the verifier.
  for (const [index, cert] of certificates.entries()) {
    if (cert.subjectDer.equals(cert.issuerDer) && safeVerify(cert)) throw parseError(what, `certificate ${index + 1} of the chain is a self-signed root; bundles must not carry trust anchors`);
  }
  return { bundle, certificates, digestAbsent };
}

const PLACEHOLDER_DIGEST = Buffer.alloc(32).toString('base64');

function fillAbsentDigest(document: unknown): { normalised: unknown; digestAbsent: boolean } {
  if (!isRecord(document) || !isRecord(document.messageSignature)) return { normalised: document, digestAbsent: false };
  const digest = document.messageSignature.messageDigest;
  if (digest !== undefined && !(isRecord(digest) && Object.keys(digest).length === 0)) return { normalised: document, digestAbsent: false };
  return {
    normalised: { ...document, messageSignature: { ...document.messageSignature, messageDigest: { algorithm: 'SHA2_256', digest: PLACEHOLDER_DIGEST } } },
    digestAbsent: true,
  };
}

/**
 * cosign (through sigstore-go) writes v0.3 bundles with an `x509CertificateChain`, which the v0.3
 * specification replaced by a single `certificate`. Such a bundle is read as its leaf certificate,
 * the rest of the chain kept as untrusted intermediates for path building.
 */
function liftV03Chain(document: unknown, what: string): { normalised: unknown; extraChain: Buffer[] } {
  if (!isRecord(document) || document.mediaType !== BUNDLE_V03_MEDIA_TYPE || !isRecord(document.verificationMaterial)) return { normalised: document, extraChain: [] };
  const chain = document.verificationMaterial.x509CertificateChain;
  if (!isRecord(chain) || !Array.isArray(chain.certificates) || chain.certificates.length === 0) return { normalised: document, extraChain: [] };
  const [leaf, ...rest] = chain.certificates as unknown[];
  const { x509CertificateChain: _chain, ...material } = document.verificationMaterial;
  const extraChain = rest.slice(0, limits.certificatesPerChain).map((entry, index) => {
    if (!isRecord(entry) || typeof entry.rawBytes !== 'string') throw parseError(what, `x509CertificateChain.certificates[${index + 1}].rawBytes must be a string`);
    return decodeBase64(entry.rawBytes, `${what}: x509CertificateChain.certificates[${index + 1}]`);
  });
  return { normalised: { ...document, verificationMaterial: { ...material, certificate: leaf } }, extraChain };
}

function safeVerify(cert: Certificate): boolean {
  try {
    return cert.node.verify(cert.publicKey);
  } catch {
    return false;
  }
}

export interface BundleKeyMaterial {
  /** Key hint (base64 SHA-256 of the SPKI), for key-signed bundles. */
  keyHint?: string;
  /** DER of the signing certificate, for certificate-signed bundles. */
  certificate?: Buffer;
}

/** A v0.3 bundle of a signature over an artifact (hashedrekord style: the digest is recorded). */
export function messageBundle(artifactSha256: Buffer, signature: Buffer, material: BundleKeyMaterial): Buffer {
  const bundle = toMessageSignatureBundle({ digest: artifactSha256, signature, ...material });
  return serializeBundle(bundle);
}

/** A v0.3 bundle of a DSSE envelope carrying one signature. */
export function dsseBundle(envelope: DsseEnvelope, material: BundleKeyMaterial): Buffer {
  const first = envelope.signatures[0];
  if (first === undefined) throw new RangeError('a DSSE bundle needs a signature');
  const bundle = toDSSEBundle({ artifact: envelope.payload, artifactType: envelope.payloadType, signature: first.sig, ...material });
  // sigstore-go skips DSSE signatures whose keyid is not the one it computes itself; cosign leaves it empty.
  for (const signature of bundle.content.dsseEnvelope.signatures) signature.keyid = '';
  return serializeBundle(bundle);
}

export function serializeBundle(bundle: Bundle): Buffer {
  return Buffer.from(JSON.stringify(bundleToJSON(bundle)));
}

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}
