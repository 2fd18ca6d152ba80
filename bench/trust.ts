// Benchmark of image signature verification as the admission webhook does it: a warm registry
// connection, images signed in both layouts (cosign classic + Sigstore bundle referrer), one
// ImageVerifier with its digest-keyed cache.
// Usage: node bench/trust.ts [--images 30] [--hits 2000]
// Prints per-image times for cache misses (by digest and by tag), cache hits, and the pure
// verification step alone; the targets are < 30 ms per miss and < 1 ms per hit.
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { registryMissing, startRegistry } from '../test/support/registry.ts';
import { FileSigningKey } from '../src/trust/keys/file-provider.ts';
import { fetchImageArtifacts, generateKeyPair, ImageVerifier, keyId, RegistryPool, signImage, verifyImageSignatures, type ImagePolicy } from '../src/trust/index.ts';
import { pushImage } from '../src/trust/testing/images.ts';

const { values } = parseArgs({ options: { images: { type: 'string', default: '30' }, hits: { type: 'string', default: '2000' } } });
const imageCount = Number(values.images);
const hitCount = Number(values.hits);

const missing = registryMissing();
if (missing) {
  process.stderr.write(`bench/trust: ${missing}\n`);
  process.exit(2);
}

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  const format = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
  return `p50 ${format(at(0.5))}  p95 ${format(at(0.95))}  mean ${format(mean)}  (n=${sorted.length})`;
}

const registry = await startRegistry();
try {
  const pair = await generateKeyPair('ecdsa-p256');
  const key = new FileSigningKey(pair.privateKey, pair.publicKey, 'bench.key');
  const pool = new RegistryPool();
  const images = [];
  for (let index = 0; index < imageCount; index++) {
    const image = await pushImage(registry.host, `bench/app${index % 5}`, `v${index}`);
    await signImage({ reference: image.reference, identity: { key }, layouts: ['classic', 'bundle'], pool });
    images.push(image);
  }
  const policy: ImagePolicy = { id: 'bench', authorities: [{ name: 'bench', keys: [{ key: pair.publicKey, id: keyId(pair.publicKey), source: 'bench.pub' }], identities: [] }], signatures: { minimum: 1 }, attestations: [] };
  const verifier = new ImageVerifier();
  // Warm-up: connection, JIT, token-free anonymous registry.
  for (const image of images.slice(0, 3)) await verifier.verify(image.byDigest, policy);

  const missByDigest: number[] = [];
  const missByTag: number[] = [];
  // CPU this process spends per cache miss (fetching, parsing, verifying): independent of how busy
  // the registry and the machine are, unlike the wall times.
  const cpuBefore = process.cpuUsage();
  for (let round = 0; round < 3; round++) {
    for (const image of images) {
      verifier.cache.clear();
      const started = performance.now();
      const result = await verifier.verify(image.byDigest, policy);
      missByDigest.push(performance.now() - started);
      if (!result.verified || result.signatures.length !== 2) throw new Error(`not verified: ${JSON.stringify(result.reason)}`);
    }
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPerMiss = (cpu.user + cpu.system) / 1000 / missByDigest.length;
  for (let round = 0; round < 3; round++) {
    for (const image of images) {
      verifier.cache.clear();
      const started = performance.now();
      await verifier.verify(image.reference, policy);
      missByTag.push(performance.now() - started);
    }
  }
  for (const image of images) await verifier.verify(image.byDigest, policy);
  const hits: number[] = [];
  for (let index = 0; index < hitCount; index++) {
    const image = images[index % images.length]!;
    const started = performance.now();
    const result = await verifier.verify(image.byDigest, policy);
    hits.push(performance.now() - started);
    if (!result.cached) throw new Error('expected a cache hit');
  }
  const fetches: number[] = [];
  const pure: number[] = [];
  for (const image of images) {
    const resolved = await pool.resolve(image.byDigest);
    let started = performance.now();
    const artifacts = await fetchImageArtifacts({ registry: resolved.registry, repository: resolved.reference.path, digest: resolved.digest, reference: image.byDigest, attestations: false });
    fetches.push(performance.now() - started);
    for (let repeat = 0; repeat < 5; repeat++) {
      started = performance.now();
      verifyImageSignatures(artifacts, policy);
      pure.push(performance.now() - started);
    }
  }
  // The floor: one round trip to this registry on this machine right now (a manifest by digest).
  const roundTrips: number[] = [];
  const probe = (await pool.resolve(images[0]!.byDigest)).registry;
  for (let index = 0; index < 50; index++) {
    const started = performance.now();
    await probe.getManifest(images[0]!.repository, images[0]!.digest);
    roundTrips.push(performance.now() - started);
  }
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    [
      `bench/trust: ${images.length} images, each signed in both layouts (2 signatures to fetch and verify); registry ${registry.host} (docker-registry, no referrers API); ${cpus().length} × ${cpuModel}; Node ${process.version}`,
      `cache miss, by digest    ${stats(missByDigest)}   target < 30 ms`,
      `cache miss, by digest    ${cpuPerMiss.toFixed(2)} ms of this process's CPU per image (user + system)`,
      `cache miss, by tag       ${stats(missByTag)}   (one more round trip to resolve the tag)`,
      `cache hit, by digest     ${stats(hits)}   target < 1 ms`,
      `fetch only (5 requests) ${stats(fetches)}`,
      `pure verification only   ${stats(pure)}`,
      `one registry round trip  ${stats(roundTrips)}   (a miss by digest is 3 sequential round trips: referrers tag → manifest → bundle)`,
      `load average             ${loadavg().map((value) => value.toFixed(1)).join(' ')}`,
      '',
    ].join('\n'),
  );
} finally {
  await registry.stop();
}
