// Signs and attests images in a registry, in cosign's classic layout and as Sigstore bundle referrers.
// Always the manifest digest: a tag is resolved once, and what is signed is the content it named.
import { BulwarkError } from '../../core/index.ts';
import type { ImageReference } from '../../image/reference.ts';
import { encodeBase64 } from '../encoding/base64.ts';
import { BUNDLE_V03_MEDIA_TYPE, parseBundle, type ParsedBundle } from '../formats/bundle.ts';
import { serializeEnvelope, type DsseEnvelope } from '../formats/dsse.ts';
import { rekorAnnotation } from '../formats/rekor-bundle.ts';
import { COSIGN_SIGN_PREDICATE, INTOTO_PAYLOAD_TYPE, buildStatement } from '../formats/intoto.ts';
import { buildSimpleSigning } from '../formats/simple-signing.ts';
import { ANNOTATION, DSSE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE, attestationTag, buildClassicManifest, parseClassicManifest, signatureTag, type ClassicLayer } from '../layouts/cosign-classic.ts';
import { BUNDLE_ANNOTATION, EMPTY_CONFIG, addToReferrersIndex, buildReferrerManifest } from '../layouts/referrer.ts';
import type { RegistryClient } from '../../image/registry/client.ts';
import { MEDIA, referrersTag, sha256Digest, type Descriptor } from '../../image/registry/referrers.ts';
import type { RegistryPool } from '../verify/verifier.ts';
import { requireLogWhenKeyless, signBlob, signEnvelope, signEnvelopeBundle } from './blob.ts';
import { certificateAnnotations, issuedChain, type SigningIdentity } from './identity.ts';
import type { TransparencyOptions } from './rekor.ts';

export type SignLayout = 'classic' | 'bundle';

export interface SignImageOptions {
  reference: string;
  identity: SigningIdentity;
  layouts: readonly SignLayout[];
  /** `-a key=value` annotations, recorded in the signed payload. */
  annotations?: Record<string, string>;
  pool: RegistryPool;
  now?: Date;
  /** Record signatures in this transparency log (classic layers carry the entry as cosign's bundle annotation). */
  transparency?: TransparencyOptions;
}

export interface AttestImageOptions extends Omit<SignImageOptions, 'annotations'> {
  predicateType: string;
  predicate: unknown;
}

export interface Written {
  layout: SignLayout;
  /** `registry/repo:tag` or `registry/repo@digest` of what was pushed. */
  location: string;
}

export interface SignResult {
  repository: string;
  digest: string;
  written: Written[];
}

interface Target {
  registry: RegistryClient;
  reference: ImageReference;
  repository: string;
  subject: Descriptor;
}

async function resolveTarget(options: SignImageOptions | AttestImageOptions): Promise<Target> {
  const resolved = await options.pool.resolve(options.reference);
  const subject = await resolved.registry.headManifest(resolved.reference.path, resolved.digest);
  if (subject === undefined) throw new BulwarkError('E_INPUT', `${options.reference}: the manifest ${resolved.digest} is not in ${resolved.registry.host}/${resolved.reference.path}`);
  return { registry: resolved.registry, reference: resolved.reference, repository: `${resolved.reference.domain}/${resolved.reference.path}`, subject };
}

export async function signImage(options: SignImageOptions): Promise<SignResult> {
  if (options.layouts.length === 0) throw new BulwarkError('E_USAGE', 'choose at least one layout');
  requireLogWhenKeyless(options.identity, options.transparency);
  const target = await resolveTarget(options);
  const written: Written[] = [];
  if (options.layouts.includes('classic')) {
    const payload = buildSimpleSigning(target.repository, target.subject.digest, options.annotations);
    const layer: ClassicLayer = { bytes: payload, mediaType: SIMPLE_SIGNING_MEDIA_TYPE, annotations: {} };
    if (options.transparency === undefined) {
      layer.annotations = { [ANNOTATION.signature]: encodeBase64(await options.identity.key.sign(payload)), ...certificateAnnotations(options.identity) };
    } else {
      // Through the log: the signature, its (keyless) certificate and the log's promise, as cosign records them.
      const logged = parseBundle(await signBlob(payload, options.identity, options.transparency), 'signed payload bundle');
      if (logged.bundle.content.$case !== 'messageSignature') throw new BulwarkError('E_INTERNAL', 'the signing library returned no message signature');
      layer.annotations = { [ANNOTATION.signature]: encodeBase64(logged.bundle.content.messageSignature.signature), ...loggedAnnotations(logged, options.identity) };
    }
    written.push({ layout: 'classic', location: await appendClassicLayer(target, signatureTag(target.subject.digest), layer) });
  }
  if (options.layouts.includes('bundle')) {
    const subject: Record<string, unknown> = { name: target.repository, digest: digestMap(target.subject.digest) };
    if (options.annotations !== undefined && Object.keys(options.annotations).length > 0) subject.annotations = options.annotations;
    const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [subject], predicateType: COSIGN_SIGN_PREDICATE, predicate: {} }));
    const { bundle } = await signEnvelopeBundle(INTOTO_PAYLOAD_TYPE, statement, options.identity, options.transparency);
    written.push({ layout: 'bundle', location: await attachBundle(target, bundle, COSIGN_SIGN_PREDICATE, options.now ?? new Date()) });
  }
  return { repository: target.repository, digest: target.subject.digest, written };
}

export async function attestImage(options: AttestImageOptions): Promise<SignResult> {
  if (options.layouts.length === 0) throw new BulwarkError('E_USAGE', 'choose at least one layout');
  requireLogWhenKeyless(options.identity, options.transparency);
  const target = await resolveTarget(options);
  const statement = buildStatement([{ name: target.repository, digest: digestMap(target.subject.digest) }], options.predicateType, options.predicate);
  const written: Written[] = [];
  if (options.layouts.includes('classic')) {
    let envelope: DsseEnvelope;
    let extra: Record<string, string>;
    if (options.transparency === undefined) {
      envelope = await signEnvelope(INTOTO_PAYLOAD_TYPE, statement, options.identity);
      extra = certificateAnnotations(options.identity);
    } else {
      const logged = parseBundle((await signEnvelopeBundle(INTOTO_PAYLOAD_TYPE, statement, options.identity, options.transparency)).bundle, 'signed statement bundle');
      if (logged.bundle.content.$case !== 'dsseEnvelope') throw new BulwarkError('E_INTERNAL', 'the signing library returned no DSSE envelope');
      const dsse = logged.bundle.content.dsseEnvelope;
      envelope = { payloadType: dsse.payloadType, payload: Buffer.from(dsse.payload), signatures: dsse.signatures.map((s) => ({ keyid: s.keyid, sig: Buffer.from(s.sig) })) };
      extra = loggedAnnotations(logged, options.identity);
    }
    const layer: ClassicLayer = {
      bytes: serializeEnvelope(envelope),
      mediaType: DSSE_MEDIA_TYPE,
      annotations: { [ANNOTATION.signature]: '', [ANNOTATION.predicateType]: options.predicateType, ...extra },
    };
    written.push({ layout: 'classic', location: await appendClassicLayer(target, attestationTag(target.subject.digest), layer) });
  }
  if (options.layouts.includes('bundle')) {
    const { bundle } = await signEnvelopeBundle(INTOTO_PAYLOAD_TYPE, statement, options.identity, options.transparency);
    written.push({ layout: 'bundle', location: await attachBundle(target, bundle, options.predicateType, options.now ?? new Date()) });
  }
  return { repository: target.repository, digest: target.subject.digest, written };
}

/** Certificate annotations (the CA's certificate when keyless) and the log entry, for a classic layer. */
function loggedAnnotations(logged: ParsedBundle, identity: SigningIdentity): Record<string, string> {
  const entry = logged.bundle.verificationMaterial.tlogEntries[0];
  if (entry === undefined) throw new BulwarkError('E_IO', 'the transparency log returned no entry');
  // Keyless: the certificate the log recorded, and the chain the CA sent with it (as cosign writes both).
  const leaf = logged.certificates[0];
  const chain = issuedChain(identity);
  const certificate = identity.keyless !== undefined && leaf !== undefined ? certificateAnnotations({ key: identity.key, certificate: leaf, ...(chain === undefined ? {} : { chain }) }) : certificateAnnotations(identity);
  return { ...certificate, [ANNOTATION.bundle]: rekorAnnotation(entry) };
}

function digestMap(digest: string): Record<string, string> {
  const [algorithm, hex] = digest.split(':') as [string, string];
  return { [algorithm]: hex };
}

/** Adds a layer to the `.sig`/`.att` manifest, keeping the signatures already there (as cosign does). */
async function appendClassicLayer(target: Target, tag: string, layer: ClassicLayer): Promise<string> {
  const { registry } = target;
  const path = target.reference.path;
  const existing = await registry.findManifest(path, tag);
  const layers: Array<{ descriptor: Descriptor }> = existing === undefined ? [] : parseClassicManifest(existing.bytes, `${tag} manifest`).map((descriptor) => ({ descriptor }));
  const blob = await registry.putBlob(path, layer.bytes);
  const descriptor: Descriptor = { mediaType: layer.mediaType, digest: blob.digest, size: blob.size, annotations: layer.annotations };
  const duplicate = layers.some(({ descriptor: old }) => old.digest === descriptor.digest && JSON.stringify(old.annotations ?? {}) === JSON.stringify(descriptor.annotations));
  if (!duplicate) layers.push({ descriptor });
  const { manifest, config } = buildClassicManifest(layers);
  await registry.putBlob(path, config);
  await registry.putManifest(path, tag, MEDIA.ociManifest, manifest);
  return `${target.repository}:${tag}`;
}

/** Pushes a bundle as a referrer of the image; keeps the tag-scheme index when the registry lacks the API. */
async function attachBundle(target: Target, bundle: Buffer, predicateType: string, now: Date): Promise<string> {
  const { registry } = target;
  const path = target.reference.path;
  await registry.putBlob(path, EMPTY_CONFIG);
  const blob = await registry.putBlob(path, bundle);
  const annotations = {
    [BUNDLE_ANNOTATION.created]: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    [BUNDLE_ANNOTATION.content]: 'dsse-envelope',
    [BUNDLE_ANNOTATION.predicateType]: predicateType,
  };
  const manifest = buildReferrerManifest(target.subject, { mediaType: BUNDLE_V03_MEDIA_TYPE, digest: blob.digest, size: blob.size }, annotations);
  const pushed = await registry.putManifest(path, sha256Digest(manifest), MEDIA.ociManifest, manifest);
  if (!pushed.subjectAccepted) {
    const tag = referrersTag(target.subject.digest);
    const existing = await registry.findManifest(path, tag, MEDIA.ociIndex);
    const index = addToReferrersIndex(existing?.bytes, { mediaType: MEDIA.ociManifest, digest: pushed.digest, size: manifest.length, artifactType: BUNDLE_V03_MEDIA_TYPE, annotations }, `${tag} index`);
    await registry.putManifest(path, tag, MEDIA.ociIndex, index);
  }
  return `${target.repository}@${pushed.digest}`;
}
