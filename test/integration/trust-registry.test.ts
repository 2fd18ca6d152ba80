// Signing and verifying images against a real registry (Debian's docker-registry, Distribution 2.8,
// which has no referrers API: bundles go through the referrers tag scheme), through the CLI and the library.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImageVerifier, keyId, parsePublicKeys, readBoundedFile, type ImagePolicy } from '../../src/trust/index.ts';
import { ANNOTATION, parseClassicManifest, signatureTag } from '../../src/trust/layouts/cosign-classic.ts';
import { RegistryClient } from '../../src/image/registry/client.ts';
import { MEDIA, referrersTag, sha256Digest } from '../../src/image/registry/referrers.ts';
import { buildClassicManifest } from '../../src/trust/layouts/cosign-classic.ts';
import { pushImage } from '../../src/trust/testing/images.ts';
import { registryMissing, startRegistry, type TestRegistry } from '../support/registry.ts';
import { runProcess } from '../support/process.ts';
import { repoRoot } from '../support/shared.ts';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const env = { ...process.env, BULWARK_PASSPHRASE: 'test-pass', BULWARK_CA_PASSPHRASE: 'ca-pass', NO_COLOR: '1' };

/** Runs the CLI without blocking the event loop (the registry's token server may live in this process). */
function bulwark(args: string[], cwd: string): Promise<Run> {
  return runProcess(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), ...args], { cwd, env: env });
}

describe('bulwark sign/verify against a real registry', () => {
  const missing = registryMissing();
  let registry: TestRegistry;
  let dir: string;
  before(async () => {
    if (missing) return;
    registry = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'bulwark-trust-registry-'));
    for (const name of ['alice', 'bob']) {
      const made = await bulwark(['key', 'generate', '-o', name, '--format', 'pkcs8'], dir);
      assert.equal(made.status, 0, made.stderr);
    }
  });
  after(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs the digest in both layouts and verifies each', async (t) => {
    if (missing) return t.skip(missing);
    const image = await pushImage(registry.host, 'team/app', 'v1');
    const signed = await bulwark(['sign', 'image', image.reference, '--key', 'alice.key', '--format', 'json'], dir);
    assert.equal(signed.status, 0, signed.stderr);
    const written = JSON.parse(signed.stdout) as { digest: string; written: Array<{ layout: string; location: string }> };
    assert.equal(written.digest, image.digest, 'the tag was resolved and the digest signed');
    assert.deepEqual(written.written.map((entry) => entry.layout), ['classic', 'bundle']);
    assert.equal(written.written[0]!.location, `${registry.host}/team/app:${signatureTag(image.digest)}`);
    // Distribution 2.8 has no referrers API: the bundle is listed under the referrers tag.
    const index = await new RegistryClient({ host: registry.host, plainHttpLoopback: true }).findManifest('team/app', referrersTag(image.digest), MEDIA.ociIndex);
    assert.ok(index, 'referrers tag index written');
    const verified = await bulwark(['verify', 'image', image.reference, '--key', 'alice.pub'], dir);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, new RegExp(`^verified ${registry.host}/team/app@${image.digest}\\n`));
    assert.match(verified.stdout, /signature {4}cosign-classic {2}key sha256:[0-9a-f]{16} \(alice\.pub\)/);
    assert.match(verified.stdout, /signature {4}sigstore-bundle key sha256:[0-9a-f]{16} \(alice\.pub\)/);
    const json = await bulwark(['verify', 'image', image.byDigest, '--key', 'alice.pub', '--format', 'json'], dir);
    const report = JSON.parse(json.stdout) as { schemaVersion: string; images: Array<{ verified: boolean; digest: string; signatures: unknown[] }> };
    assert.equal(report.schemaVersion, '1');
    assert.equal(report.images[0]!.verified, true);
    assert.equal(report.images[0]!.signatures.length, 2);
  });

  it('fails with the reason, exit 1: wrong key, unsigned image, tag moved to unsigned content', async (t) => {
    if (missing) return t.skip(missing);
    const image = await pushImage(registry.host, 'team/moving', 'v1');
    assert.equal((await bulwark(['sign', 'image', image.reference, '--key', 'alice.key'], dir)).status, 0);
    const wrongKey = await bulwark(['verify', 'image', image.reference, '--key', 'bob.pub'], dir);
    assert.equal(wrongKey.status, 1);
    assert.match(wrongKey.stdout, /^FAILED .*: signature-mismatch: no valid signature: /);
    const unsigned = await pushImage(registry.host, 'team/unsigned', 'v1');
    const none = await bulwark(['verify', 'image', unsigned.reference, '--key', 'alice.pub'], dir);
    assert.equal(none.status, 1);
    assert.match(none.stdout, /no-signatures: no signature found for/);
    await pushImage(registry.host, 'team/moving', 'v1');
    const moved = await bulwark(['verify', 'image', image.reference, '--key', 'alice.pub'], dir);
    assert.equal(moved.status, 1, 'the signature was for the old digest');
    assert.equal((await bulwark(['verify', 'image', image.byDigest, '--key', 'alice.pub'], dir)).status, 0, 'the old digest is still signed');
  });

  it('detects a tampered payload or signature in the registry', async (t) => {
    if (missing) return t.skip(missing);
    const image = await pushImage(registry.host, 'team/tamper', 'v1');
    assert.equal((await bulwark(['sign', 'image', image.reference, '--key', 'alice.key', '--layout', 'classic'], dir)).status, 0);
    const client = new RegistryClient({ host: registry.host, plainHttpLoopback: true });
    const tag = signatureTag(image.digest);
    const original = (await client.findManifest('team/tamper', tag))!;
    const [layer] = parseClassicManifest(original.bytes, 'sig');
    const payload = await client.readBlob('team/tamper', layer!, 1 << 20);
    const rewrite = async (newPayload: Buffer, annotations: Record<string, string>) => {
      const blob = await client.putBlob('team/tamper', newPayload);
      const { manifest, config } = buildClassicManifest([{ descriptor: { mediaType: layer!.mediaType, digest: blob.digest, size: blob.size, annotations } }]);
      await client.putBlob('team/tamper', config);
      await client.putManifest('team/tamper', tag, MEDIA.ociManifest, manifest);
    };
    await rewrite(Buffer.from(payload.toString().replace('"optional":null', '"optional":{"extra":"x"}')), layer!.annotations!);
    const badPayload = await bulwark(['verify', 'image', image.reference, '--key', 'alice.pub'], dir);
    assert.equal(badPayload.status, 1);
    assert.match(badPayload.stdout, /signature-mismatch/);
    const signature = Buffer.from(layer!.annotations![ANNOTATION.signature]!, 'base64');
    signature[signature.length - 3]! ^= 0x01;
    await rewrite(payload, { ...layer!.annotations!, [ANNOTATION.signature]: signature.toString('base64') });
    assert.equal((await bulwark(['verify', 'image', image.reference, '--key', 'alice.pub'], dir)).status, 1);
    await rewrite(payload, layer!.annotations!);
    assert.equal((await bulwark(['verify', 'image', image.reference, '--key', 'alice.pub'], dir)).status, 0, 'restored');
  });

  it('attests, and a policy file requires signatures, attestations with conditions, and allows or denies by image', async (t) => {
    if (missing) return t.skip(missing);
    const image = await pushImage(registry.host, 'prod/api', 'v2');
    writeFileSync(join(dir, 'provenance.json'), JSON.stringify({ buildDefinition: { buildType: 'https://ci.example.com/build/v1' }, runDetails: { builder: { id: 'https://ci.example.com' } } }));
    assert.equal((await bulwark(['sign', 'image', image.reference, '--key', 'alice.key'], dir)).status, 0);
    const attested = await bulwark(['attest', 'image', image.reference, '--key', 'bob.key', '--predicate', 'provenance.json', '--type', 'slsaprovenance1'], dir);
    assert.equal(attested.status, 0, attested.stderr);
    writeFileSync(
      join(dir, 'policy.yaml'),
      `apiVersion: bulwark.dev/v1
kind: ImageTrustPolicy
authorities:
  - name: release
    keys: [alice.pub]
  - name: ci
    keys: [bob.pub]
rules:
  - name: prod
    images: ["${registry.host}/prod/**"]
    signatures: { authorities: [release] }
    attestations:
      - type: slsaprovenance1
        authorities: [ci]
        conditions:
          - path: predicate.buildDefinition.buildType
            equals: https://ci.example.com/build/v1
  - name: strict
    images: ["${registry.host}/strict/**"]
    signatures: { minimum: 2 }
  - name: sandbox
    images: ["${registry.host}/sandbox/*"]
    action: allow
`,
    );
    const ok = await bulwark(['verify', 'image', image.reference, '--policy', 'policy.yaml'], dir);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /\(rule prod\)/);
    assert.match(ok.stdout, /attestation {2}cosign-classic {2}https:\/\/slsa\.dev\/provenance\/v1 by key/);
    const attestationOnly = await bulwark(['verify', 'attestation', image.reference, '--type', 'slsaprovenance1', '--key', 'bob.pub'], dir);
    assert.equal(attestationOnly.status, 0, attestationOnly.stdout);
    const strictImage = await pushImage(registry.host, 'strict/api', 'v1');
    assert.equal((await bulwark(['sign', 'image', strictImage.reference, '--key', 'alice.key'], dir)).status, 0);
    const one = await bulwark(['verify', 'image', strictImage.reference, '--policy', 'policy.yaml'], dir);
    assert.equal(one.status, 1);
    assert.match(one.stdout, /threshold: signed by 1 of the required 2 authorities/);
    assert.equal((await bulwark(['sign', 'image', strictImage.reference, '--key', 'bob.key'], dir)).status, 0);
    assert.equal((await bulwark(['verify', 'image', strictImage.reference, '--policy', 'policy.yaml'], dir)).status, 0);
    const sandbox = await pushImage(registry.host, 'sandbox/tool', 'v1');
    const allowed = await bulwark(['verify', 'image', sandbox.reference, '--policy', 'policy.yaml'], dir);
    assert.equal(allowed.status, 0);
    assert.match(allowed.stdout, /^allowed .*\(rule sandbox\)/);
    const elsewhere = await pushImage(registry.host, 'other/thing', 'v1');
    const denied = await bulwark(['verify', 'image', elsewhere.reference, '--policy', 'policy.yaml'], dir);
    assert.equal(denied.status, 1);
    assert.match(denied.stdout, /policy-denied: no rule of the policy matches this image \(default: deny\)/);
    // A provenance from another builder fails the condition.
    const other = await pushImage(registry.host, 'prod/worker', 'v1');
    writeFileSync(join(dir, 'other-provenance.json'), JSON.stringify({ buildDefinition: { buildType: 'https://laptop.example.com' } }));
    await bulwark(['sign', 'image', other.reference, '--key', 'alice.key'], dir);
    await bulwark(['attest', 'image', other.reference, '--key', 'bob.key', '--predicate', 'other-provenance.json', '--type', 'slsaprovenance1'], dir);
    const condition = await bulwark(['verify', 'image', other.reference, '--policy', 'policy.yaml'], dir);
    assert.equal(condition.status, 1);
    assert.match(condition.stdout, /predicate-condition: the slsaprovenance1 attestation does not satisfy: predicate\.buildDefinition\.buildType equals/);
  });

  it('signs with a certificate from `bulwark ca` and verifies the chain and identity', async (t) => {
    if (missing) return t.skip(missing);
    assert.equal((await bulwark(['ca', 'init', '--dir', 'ca', '--format', 'pkcs8'], dir)).status, 0);
    const issued = await bulwark(['ca', 'issue', '--dir', 'ca', '--identity', 'release@example.com', '--oidc-issuer', 'https://idp.example.com', '--public-key', 'alice.pub', '-o', 'alice.crt', '--validity', '1h'], dir);
    assert.equal(issued.status, 0, issued.stderr);
    const image = await pushImage(registry.host, 'team/certified', 'v1');
    const signed = await bulwark(['sign', 'image', image.reference, '--key', 'alice.key', '--cert', 'alice.crt', '--cert-chain', 'ca/chain.pem'], dir);
    assert.equal(signed.status, 0, signed.stderr);
    const caFlags = ['--ca-roots', 'ca/root.crt', '--ca-intermediates', 'ca/intermediate.crt'];
    const ok = await bulwark(['verify', 'image', image.reference, '--cert-identity', 'release@example.com', '--cert-oidc-issuer', 'https://idp.example.com', ...caFlags], dir);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /signature {4}cosign-classic {2}release@example\.com \(issuer https:\/\/idp\.example\.com\)/);
    assert.match(ok.stdout, /signature {4}sigstore-bundle release@example\.com/);
    const regexp = await bulwark(['verify', 'image', image.reference, '--cert-identity-regexp', '^release@', ...caFlags], dir);
    assert.equal(regexp.status, 0);
    const someoneElse = await bulwark(['verify', 'image', image.reference, '--cert-identity', 'mallory@example.com', ...caFlags], dir);
    assert.equal(someoneElse.status, 1);
    assert.match(someoneElse.stdout, /identity-mismatch/);
    const wrongIssuer = await bulwark(['verify', 'image', image.reference, '--cert-identity', 'release@example.com', '--cert-oidc-issuer', 'https://other.example', ...caFlags], dir);
    assert.equal(wrongIssuer.status, 1);
    // Another CA with the same names does not chain.
    assert.equal((await bulwark(['ca', 'init', '--dir', 'rogue', '--format', 'pkcs8'], dir)).status, 0);
    const rogue = await bulwark(['verify', 'image', image.reference, '--cert-identity', 'release@example.com', '--ca-roots', 'rogue/root.crt', '--ca-intermediates', 'rogue/intermediate.crt'], dir);
    assert.equal(rogue.status, 1);
    assert.match(rogue.stdout, /certificate-chain/);
    const noIdentity = await bulwark(['verify', 'image', image.reference, ...caFlags], dir);
    assert.equal(noIdentity.status, 2, 'a CA without an identity is a usage error');
  });

  it('caches verdicts by digest, and reports an unreachable registry as a verdict', async (t) => {
    if (missing) return t.skip(missing);
    const image = await pushImage(registry.host, 'team/cached', 'v1');
    assert.equal((await bulwark(['sign', 'image', image.reference, '--key', 'alice.key'], dir)).status, 0);
    const [key] = parsePublicKeys((await readBoundedFile(join(dir, 'alice.pub'), 'key')).toString(), 'alice.pub');
    const policy: ImagePolicy = { id: 'cache-test', authorities: [{ name: 'alice', keys: [key!], identities: [] }], signatures: { minimum: 1 }, attestations: [] };
    const verifier = new ImageVerifier();
    const first = await verifier.verify(image.byDigest, policy);
    assert.equal(first.verified, true, JSON.stringify(first.reason));
    assert.equal(first.cached, false);
    const second = await verifier.verify(image.byDigest, policy);
    assert.equal(second.cached, true);
    assert.equal(keyId(key!.key), key!.id);
    const down = await new ImageVerifier({ timeoutMs: 5000 }).verify('127.0.0.1:1/app:v1', policy);
    assert.equal(down.verified, false);
    assert.equal(down.reason?.code, 'fetch-failed');
    assert.match(down.reason?.message ?? '', /127\.0\.0\.1:1/);
    assert.ok(sha256Digest(Buffer.from('')).startsWith('sha256:'));
  });
});
