// Benchmark of image signature verification as the admission webhook does it: a warm registry
// connection, images signed in both layouts (cosign classic + Sigstore bundle referrer), one
// ImageVerifier with its digest-keyed cache.
// Usage: node bench/trust.ts [--images 30] [--hits 2000] [--keyless 200]
// Prints per-image times for cache misses (by digest and by tag), cache hits, and the pure
// verification step alone; the targets are < 30 ms per miss and < 1 ms per hit. Then keyless:
// signing through a Fulcio CA and a Rekor log (the in-process stand-ins on 127.0.0.1), and the pure
// verification of a keyless classic signature (trusted root: Fulcio chain, SCT, log promise, identity).
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { registryMissing, startRegistry } from '../test/support/registry.ts';
import { FileSigningKey } from '../src/trust/keys/file-provider.ts';
import { fetchImageArtifacts, generateKeyPair, ImageVerifier, keyId, RegistryPool, signImage, verifyImageSignatures, type ImagePolicy } from '../src/trust/index.ts';
import { pushImage } from '../src/trust/testing/images.ts';
import { parseBundle } from '../src/trust/formats/bundle.ts';
import { rekorAnnotation } from '../src/trust/formats/rekor-bundle.ts';
import { buildSimpleSigning } from '../src/trust/formats/simple-signing.ts';
import { parseTrustedRoot } from '../src/trust/formats/trusted-root.ts';
import { signBlob } from '../src/trust/sign/blob.ts';
import { loadSigningIdentity } from '../src/trust/sign/load.ts';
import { startStandInFulcio } from '../src/trust/testing/fulcio.ts';
import { startStandInRekor } from '../src/trust/testing/rekor.ts';
import { certificatePem } from '../src/trust/x509/certificate.ts';
import { latencyStats } from './stats.ts';

const { values } = parseArgs({ options: { images: { type: 'string', default: '30' }, hits: { type: 'string', default: '2000' }, keyless: { type: 'string', default: '200' } } });
const imageCount = Number(values.images);
const hitCount = Number(values.hits);

const missing = registryMissing();
if (missing) {
  process.stderr.write(`bench/trust: ${missing}\n`);
  process.exit(2);
}

/** Keyless signing through the stand-ins, and verification of the classic signatures it makes. */
async function benchKeyless(count: number): Promise<{ sign: number[]; signCpu: number; verify: number[]; verifyCpu: number }> {
  const fulcio = await startStandInFulcio();
  const rekor = await startStandInRekor();
  try {
    const trust = parseTrustedRoot(fulcio.trustedRoot((JSON.parse(rekor.trustedRoot) as { tlogs: unknown[] }).tlogs), 'bench root');
    const digest = `sha256:${'ab'.repeat(32)}`;
    const payload = buildSimpleSigning('registry.example.com/app', digest);
    const sign: number[] = [];
    const signed = [];
    let cpuBefore = process.cpuUsage();
    for (let index = 0; index < Math.min(count, 50); index++) {
      // A new identity each time: one certificate per signature, as a CI job gets.
      const identity = await loadSigningIdentity({ fulcioUrl: fulcio.url, identityToken: fulcio.issueToken({ email: 'ci@example.com' }) }, async () => Buffer.alloc(0));
      const started = performance.now();
      signed.push(parseBundle(await signBlob(payload, identity, { rekorUrl: rekor.url }), 'bench bundle'));
      sign.push(performance.now() - started);
    }
    let cpu = process.cpuUsage(cpuBefore);
    const signCpu = (cpu.user + cpu.system) / 1000 / sign.length;
    const policy: ImagePolicy = {
      id: 'keyless',
      authorities: [{ name: 'ci', keys: [], identities: [{ subject: 'ci@example.com', issuer: fulcio.issuer }], sigstore: { trust, tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 } }],
      signatures: { minimum: 1 },
      attestations: [],
    };
    const artifacts = signed.map((bundle) => ({
      reference: 'registry.example.com/app:v1',
      repository: 'registry.example.com/app',
      digest,
      signatures: [{
        source: 'bench',
        payload,
        signature: Buffer.from(bundle.bundle.content.$case === 'messageSignature' ? bundle.bundle.content.messageSignature.signature : []).toString('base64'),
        certificate: certificatePem(bundle.certificates[0]!),
        rekorBundle: rekorAnnotation(bundle.bundle.verificationMaterial.tlogEntries[0]!),
      }],
      attestations: [],
      bundles: [],
      problems: [],
    }));
    const verify: number[] = [];
    cpuBefore = process.cpuUsage();
    for (let index = 0; index < count; index++) {
      const started = performance.now();
      const result = verifyImageSignatures(artifacts[index % artifacts.length]!, policy);
      verify.push(performance.now() - started);
      if (!result.verified) throw new Error(`keyless not verified: ${JSON.stringify(result.reason)}`);
    }
    cpu = process.cpuUsage(cpuBefore);
    return { sign, signCpu, verify, verifyCpu: (cpu.user + cpu.system) / 1000 / count };
  } finally {
    await fulcio.stop();
    await rekor.stop();
  }
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
  const keyless = await benchKeyless(Number(values.keyless));
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    [
      `bench/trust: ${images.length} images, each signed in both layouts (2 signatures to fetch and verify); registry ${registry.host} (docker-registry, no referrers API); ${cpus().length} × ${cpuModel}; Node ${process.version}`,
      `cache miss, by digest    ${latencyStats(missByDigest)}   target < 30 ms`,
      `cache miss, by digest    ${cpuPerMiss.toFixed(2)} ms of this process's CPU per image (user + system)`,
      `cache miss, by tag       ${latencyStats(missByTag)}   (one more round trip to resolve the tag)`,
      `cache hit, by digest     ${latencyStats(hits)}   target < 1 ms`,
      `fetch only (5 requests) ${latencyStats(fetches)}`,
      `pure verification only   ${latencyStats(pure)}`,
      `one registry round trip  ${latencyStats(roundTrips)}   (a miss by digest is 3 sequential round trips: referrers tag → manifest → bundle)`,
      `keyless sign (CA + log)  ${latencyStats(keyless.sign)}   ${keyless.signCpu.toFixed(2)} ms CPU each, stand-ins included (n=${keyless.sign.length})`,
      `keyless verify, classic  ${latencyStats(keyless.verify)}   ${keyless.verifyCpu.toFixed(3)} ms CPU each (pure step, one signature)`,
      `load average             ${loadavg().map((value) => value.toFixed(1)).join(' ')}`,
      '',
    ].join('\n'),
  );
} finally {
  await registry.stop();
}
