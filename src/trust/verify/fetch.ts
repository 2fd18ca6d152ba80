// Gets from a registry everything that may sign or attest an image digest, in both layouts. Missing
// pieces are normal (most images have no attestations); malformed ones are recorded, not fatal.
import { BulwarkError } from '../../core/index.ts';
import { describeError } from '../errors.ts';
import { BUNDLE_V03_MEDIA_TYPE } from '../formats/bundle.ts';
import { ANNOTATION, DSSE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE, attestationTag, parseClassicManifest, signatureTag } from '../layouts/cosign-classic.ts';
import { limits } from '../limits.ts';
import type { RegistryClient } from '../../image/registry/client.ts';
import type { Descriptor } from '../../image/registry/referrers.ts';
import { emptyArtifacts, type AttachedBundle, type ClassicAttestation, type ClassicSignature, type ImageArtifacts } from './artifacts.ts';

const BLOB_CONCURRENCY = 8;

export interface FetchTarget {
  registry: RegistryClient;
  /** Repository path inside the registry. */
  repository: string;
  digest: string;
  /** For messages: the reference as given. */
  reference: string;
  /** Skip what the policy will not look at: attestations are often many and large (SBOMs). */
  attestations?: boolean;
}

/** The predicate-type annotation on referrers written by Bulwark and cosign, when the index carries it. */
const PREDICATE_ANNOTATION = 'dev.sigstore.bundle.predicateType';
const COSIGN_SIGN = 'https://sigstore.dev/cosign/sign/v1';

export async function fetchImageArtifacts(target: FetchTarget): Promise<ImageArtifacts> {
  const { registry, repository, digest } = target;
  const artifacts = emptyArtifacts(target.reference, `${registry.host}/${repository}`, digest);
  const wantAttestations = target.attestations !== false;
  const [signatures, attestations, bundles] = await Promise.all([
    classicLayers(target, signatureTag(digest), SIMPLE_SIGNING_MEDIA_TYPE, limits.signatureBlobBytes, artifacts.problems),
    wantAttestations ? classicLayers(target, attestationTag(digest), DSSE_MEDIA_TYPE, limits.attestationBlobBytes, artifacts.problems) : Promise.resolve([]),
    referrerBundles(target, artifacts.problems, wantAttestations),
  ]);
  for (const { descriptor, bytes, source } of signatures) {
    const annotations = descriptor.annotations ?? {};
    const signature: ClassicSignature = { source, payload: bytes, signature: annotations[ANNOTATION.signature] ?? '' };
    if (annotations[ANNOTATION.certificate]) signature.certificate = annotations[ANNOTATION.certificate];
    if (annotations[ANNOTATION.chain]) signature.chain = annotations[ANNOTATION.chain];
    if (annotations[ANNOTATION.bundle]) signature.rekorBundle = annotations[ANNOTATION.bundle];
    artifacts.signatures.push(signature);
  }
  for (const { descriptor, bytes, source } of attestations) {
    const annotations = descriptor.annotations ?? {};
    const attestation: ClassicAttestation = { source, envelope: bytes };
    if (annotations[ANNOTATION.certificate]) attestation.certificate = annotations[ANNOTATION.certificate];
    if (annotations[ANNOTATION.chain]) attestation.chain = annotations[ANNOTATION.chain];
    if (annotations[ANNOTATION.bundle]) attestation.rekorBundle = annotations[ANNOTATION.bundle];
    artifacts.attestations.push(attestation);
  }
  artifacts.bundles.push(...bundles);
  return artifacts;
}

interface FetchedLayer {
  descriptor: Descriptor;
  bytes: Buffer;
  source: string;
}

async function classicLayers(target: FetchTarget, tag: string, mediaType: string, maxBytes: number, problems: string[]): Promise<FetchedLayer[]> {
  let layers: Descriptor[];
  try {
    const manifest = await target.registry.findManifest(target.repository, tag);
    if (manifest === undefined) return [];
    layers = parseClassicManifest(manifest.bytes, `${tag} manifest`);
  } catch (error) {
    problems.push(`${tag}: ${describeError(error)}`);
    return [];
  }
  const wanted = layers.map((descriptor, index) => ({ descriptor, source: `${tag} layer ${index + 1}` })).filter(({ descriptor }) => descriptor.mediaType === mediaType);
  return mapLimited(wanted, BLOB_CONCURRENCY, async ({ descriptor, source }) => {
    try {
      if (descriptor.size > maxBytes) throw new BulwarkError('E_TOO_LARGE', `${descriptor.size} bytes is over the ${maxBytes}-byte limit`);
      return { descriptor, source, bytes: await target.registry.readBlob(target.repository, descriptor, maxBytes) };
    } catch (error) {
      problems.push(`${source}: ${describeError(error)}`);
      return undefined;
    }
  });
}

async function referrerBundles(target: FetchTarget, problems: string[], wantAttestations: boolean): Promise<AttachedBundle[]> {
  let descriptors: Descriptor[];
  let via: string;
  try {
    const found = await target.registry.referrers(target.repository, target.digest);
    descriptors = found.descriptors.filter((descriptor) => descriptor.artifactType === BUNDLE_V03_MEDIA_TYPE || descriptor.artifactType?.startsWith('application/vnd.dev.sigstore.bundle') === true);
    // Without annotations (cosign's index entries) a referrer may be either, so it is fetched.
    if (!wantAttestations) descriptors = descriptors.filter((descriptor) => (descriptor.annotations?.[PREDICATE_ANNOTATION] ?? COSIGN_SIGN) === COSIGN_SIGN);
    via = found.api ? 'referrer' : `referrer (tag ${target.digest.replace(':', '-')})`;
  } catch (error) {
    problems.push(`referrers: ${describeError(error)}`);
    return [];
  }
  return mapLimited(descriptors.slice(0, limits.referrersPerImage), BLOB_CONCURRENCY, async (descriptor) => {
    const source = `${via} ${descriptor.digest.slice(0, 19)}`;
    try {
      const manifest = await target.registry.findManifest(target.repository, descriptor.digest);
      if (manifest === undefined) throw new BulwarkError('E_INPUT', 'the referrer manifest is listed but missing');
      const layer = parseClassicManifest(manifest.bytes, `${source} manifest`).find((candidate) => candidate.mediaType.startsWith('application/vnd.dev.sigstore.bundle'));
      if (layer === undefined) throw new BulwarkError('E_PARSE', 'the referrer manifest has no Sigstore bundle layer');
      if (layer.size > limits.attestationBlobBytes) throw new BulwarkError('E_TOO_LARGE', `${layer.size} bytes is over the limit`);
      const bundle = await target.registry.readBlob(target.repository, layer, limits.attestationBlobBytes);
      return { source, artifactType: descriptor.artifactType, bundle };
    } catch (error) {
      problems.push(`${source}: ${describeError(error)}`);
      return undefined;
    }
  });
}

async function mapLimited<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R | undefined>): Promise<R[]> {
  const results: Array<R | undefined> = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(workers);
  return results.filter((result): result is R => result !== undefined);
}
