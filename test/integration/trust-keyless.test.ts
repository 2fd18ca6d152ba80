// Keyless signing end to end, through the CLI: an ephemeral key certified by a Fulcio CA for the
// identity of an OIDC token, the signature recorded in a Rekor log, verified offline with a trusted
// root that holds the CA, its CT log and the log's key. The CA and the log are the stand-ins of
// src/trust/testing (no network here); images go to the real registry.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/image/registry/client.ts';
import { ANNOTATION, attestationTag, parseClassicManifest, signatureTag } from '../../src/trust/layouts/cosign-classic.ts';
import { startStandInFulcio, type StandInFulcio } from '../../src/trust/testing/fulcio.ts';
import { pushImage } from '../../src/trust/testing/images.ts';
import { startStandInRekor, type StandInRekor } from '../../src/trust/testing/rekor.ts';
import { registryMissing, startRegistry, type TestRegistry } from '../support/registry.ts';
import { runProcess } from '../support/process.ts';
import { repoRoot } from '../support/shared.ts';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronous: the stand-in CA and log answer from this process, so its event loop must keep running. */
function bulwark(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, BULWARK_PASSPHRASE: 'test-pass', BULWARK_CA_PASSPHRASE: 'ca-pass', NO_COLOR: '1', ...extraEnv };
  if (!('SIGSTORE_ID_TOKEN' in extraEnv)) delete env.SIGSTORE_ID_TOKEN;
  return runProcess(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), ...args], { cwd, env: env });
}

function ok(result: Run, what: string): void {
  assert.equal(result.status, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
}

describe('keyless signing with Fulcio and Rekor', () => {
  let fulcio: StandInFulcio;
  let rekor: StandInRekor;
  let dir: string;
  let services: string[];
  let identity: string[];
  before(async () => {
    fulcio = await startStandInFulcio();
    rekor = await startStandInRekor();
    dir = mkdtempSync(join(tmpdir(), 'bulwark-keyless-'));
    writeFileSync(join(dir, 'root.json'), fulcio.trustedRoot((JSON.parse(rekor.trustedRoot) as { tlogs: unknown[] }).tlogs));
    writeFileSync(join(dir, 'rekor-root.json'), rekor.trustedRoot);
    services = ['--fulcio-url', fulcio.url, '--rekor-url', rekor.url];
    identity = ['--trusted-root', 'root.json', '--certificate-identity', 'ci@example.com', '--certificate-oidc-issuer', fulcio.issuer];
  });
  after(async () => {
    await fulcio?.stop();
    await rekor?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const token = (claims: Parameters<StandInFulcio['issueToken']>[0] = { email: 'ci@example.com' }) => ({ SIGSTORE_ID_TOKEN: fulcio.issueToken(claims) });

  it('signs a file keyless and verifies it offline with the trusted root, identity and issuer', async () => {
    writeFileSync(join(dir, 'release.tar'), 'release');
    ok(await bulwark(['sign', 'blob', 'release.tar', ...services, '--bundle', 'release.sigstore.json'], dir, token()), 'keyless sign blob');
    const bundle = JSON.parse(readFileSync(join(dir, 'release.sigstore.json'), 'utf8')) as { verificationMaterial: Record<string, unknown> };
    assert.ok(bundle.verificationMaterial.x509CertificateChain ?? bundle.verificationMaterial.certificate, 'the bundle carries the Fulcio certificate');
    assert.equal((bundle.verificationMaterial.tlogEntries as unknown[]).length, 1);
    const verified = await bulwark(['verify', 'blob', 'release.tar', '--bundle', 'release.sigstore.json', ...identity], dir);
    ok(verified, 'verify blob');
    assert.match(verified.stdout, new RegExp(`signed by ci@example\\.com \\(issuer ${fulcio.issuer.replace(/[./]/g, '\\$&')}\\) \\[transparency log verified\\]`));
    const wrongIssuer = await bulwark(['verify', 'blob', 'release.tar', '--bundle', 'release.sigstore.json', ...identity.slice(0, 4), '--certificate-oidc-issuer', 'https://accounts.example.com'], dir);
    assert.equal(wrongIssuer.status, 1);
    assert.match(wrongIssuer.stdout, /identity-mismatch/);
    const regexp = await bulwark(['verify', 'blob', 'release.tar', '--bundle', 'release.sigstore.json', '--trusted-root', 'root.json', '--certificate-identity-regexp', '^ci@', '--certificate-oidc-issuer-regexp', '^http://127\\.0\\.0\\.1'], dir);
    ok(regexp, 'verify with regular expressions');
    const withoutCa = await bulwark(['verify', 'blob', 'release.tar', '--bundle', 'release.sigstore.json', '--trusted-root', 'rekor-root.json', '--certificate-identity', 'ci@example.com'], dir);
    assert.equal(withoutCa.status, 1, 'a root without the CA does not vouch for its certificates');
    writeFileSync(join(dir, 'release.tar'), 'changed');
    assert.equal((await bulwark(['verify', 'blob', 'release.tar', '--bundle', 'release.sigstore.json', ...identity], dir)).status, 1);
  });

  it('refuses to sign without a token or a log, and names the CA without printing the token when it refuses', async () => {
    writeFileSync(join(dir, 'a.txt'), 'a');
    const noToken = await bulwark(['sign', 'blob', 'a.txt', ...services], dir);
    assert.equal(noToken.status, 2);
    assert.match(noToken.stderr, /SIGSTORE_ID_TOKEN/);
    const noLog = await bulwark(['sign', 'blob', 'a.txt', '--fulcio-url', fulcio.url], dir, token());
    assert.equal(noLog.status, 2);
    assert.match(noLog.stderr, /needs a transparency log \(--rekor-url\)/);
    const withKey = await bulwark(['sign', 'blob', 'a.txt', ...services, '--key', 'k.key'], dir, token());
    assert.equal(withKey.status, 2);
    assert.match(withKey.stderr, /ephemeral key/);
    const expired = token({ email: 'ci@example.com', lifetimeS: -60 });
    const refused = await bulwark(['sign', 'blob', 'a.txt', ...services], dir, expired);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, new RegExp(`certificate authority ${fulcio.url.replace(/[./]/g, '\\$&')}`));
    assert.ok(!refused.stderr.includes(expired.SIGSTORE_ID_TOKEN), 'the token is never printed');
    const plain = await bulwark(['sign', 'blob', 'a.txt', '--fulcio-url', 'http://fulcio.example.com', '--rekor-url', rekor.url], dir, token());
    assert.equal(plain.status, 2);
    assert.match(plain.stderr, /--fulcio-url must use https/);
  });

  describe('images', () => {
    const missing = registryMissing();
    let registry: TestRegistry;
    before(async () => {
      if (missing) return;
      registry = await startRegistry();
    });
    after(async () => {
      await registry?.stop();
    });

    it('signs an image keyless in both layouts: the classic layer carries the certificate and the log entry', async (t) => {
      if (missing) return t.skip(missing);
      const image = await pushImage(registry.host, 'keyless/app', 'v1');
      ok(await bulwark(['sign', 'image', image.reference, ...services], dir, token()), 'keyless sign image');
      assert.equal(fulcio.issued >= 1, true);
      const client = new RegistryClient({ host: registry.host, plainHttpLoopback: true });
      const manifest = (await client.findManifest('keyless/app', signatureTag(image.digest)))!;
      const [layer] = parseClassicManifest(manifest.bytes, 'sig');
      assert.match(layer!.annotations![ANNOTATION.certificate]!, /BEGIN CERTIFICATE/);
      const rekorBundle = JSON.parse(layer!.annotations![ANNOTATION.bundle]!) as { SignedEntryTimestamp: string; Payload: { integratedTime: number; logID: string } };
      assert.ok(rekorBundle.SignedEntryTimestamp && rekorBundle.Payload.integratedTime > 0 && /^[0-9a-f]{64}$/.test(rekorBundle.Payload.logID));
      const verified = await bulwark(['verify', 'image', image.reference, ...identity], dir);
      ok(verified, 'verify image');
      assert.match(verified.stdout, /signature {4}cosign-classic {2}ci@example\.com .*\[transparency log verified\]/);
      assert.match(verified.stdout, /signature {4}sigstore-bundle ci@example\.com .*\[transparency log verified\]/);
      const someoneElse = await bulwark(['verify', 'image', image.reference, '--trusted-root', 'root.json', '--certificate-identity', 'release@example.com'], dir);
      assert.equal(someoneElse.status, 1);
      // Without its log entry, a keyless classic signature proves nothing.
      const stripped = { ...layer!.annotations! };
      delete stripped[ANNOTATION.bundle];
      const { buildClassicManifest } = await import('../../src/trust/layouts/cosign-classic.ts');
      const { MEDIA } = await import('../../src/image/registry/referrers.ts');
      const rewritten = buildClassicManifest([{ descriptor: { ...layer!, annotations: stripped } }]);
      await client.putBlob('keyless/app', rewritten.config);
      await client.putManifest('keyless/app', signatureTag(image.digest), MEDIA.ociManifest, rewritten.manifest);
      const classicOnly = await bulwark(['verify', 'image', image.reference, ...identity, '--format', 'json'], dir);
      const report = JSON.parse(classicOnly.stdout) as { images: Array<{ signatures: Array<{ layout: string }>; rejected: Array<{ failure: { code: string } }> }> };
      assert.deepEqual(report.images[0]!.signatures.map((s) => s.layout), ['sigstore-bundle']);
      assert.equal(report.images[0]!.rejected[0]!.failure.code, 'transparency-log');
      client.close();
    });

    it('attests keyless, and verifies the attestation in both layouts', async (t) => {
      if (missing) return t.skip(missing);
      const image = await pushImage(registry.host, 'keyless/attested', 'v1');
      writeFileSync(join(dir, 'provenance.json'), JSON.stringify({ buildDefinition: { buildType: 'https://ci.example.com/v1' } }));
      ok(await bulwark(['attest', 'image', image.reference, ...services, '--type', 'slsaprovenance1', '--predicate', 'provenance.json'], dir, token()), 'keyless attest');
      const client = new RegistryClient({ host: registry.host, plainHttpLoopback: true });
      const [layer] = parseClassicManifest((await client.findManifest('keyless/attested', attestationTag(image.digest)))!.bytes, 'att');
      assert.ok(layer!.annotations![ANNOTATION.bundle], 'the attestation layer records its log entry');
      client.close();
      const verified = await bulwark(['verify', 'attestation', image.reference, '--type', 'slsaprovenance1', ...identity], dir);
      ok(verified, 'verify attestation');
      assert.match(verified.stdout, /attestation {2}cosign-classic {2}https:\/\/slsa\.dev\/provenance\/v1 by ci@example\.com/);
      assert.match(verified.stdout, /attestation {2}sigstore-bundle https:\/\/slsa\.dev\/provenance\/v1 by ci@example\.com/);
    });

    it('a key or a private-CA certificate with a log: classic signatures carry the entry, and the log fixes the signing time', async (t) => {
      if (missing) return t.skip(missing);
      ok(await bulwark(['key', 'generate', '-o', 'logged', '--format', 'pkcs8'], dir), 'key generate');
      const keyImage = await pushImage(registry.host, 'keyless/key-logged', 'v1');
      ok(await bulwark(['sign', 'image', keyImage.reference, '--key', 'logged.key', '--rekor-url', rekor.url, '--layout', 'classic'], dir), 'sign with key and log');
      const byKey = await bulwark(['verify', 'image', keyImage.reference, '--key', 'logged.pub', '--trusted-root', 'rekor-root.json'], dir);
      ok(byKey, 'verify key + log');
      assert.match(byKey.stdout, /cosign-classic {2}key .*\[transparency log verified\]/);
      ok(await bulwark(['ca', 'init', '--dir', 'ca'], dir), 'ca init');
      ok(await bulwark(['ca', 'issue', '--dir', 'ca', '--identity', 'release@example.com', '--oidc-issuer', 'https://idp.example.com', '--public-key', 'logged.pub', '-o', 'release.crt'], dir), 'ca issue');
      const caImage = await pushImage(registry.host, 'keyless/ca-logged', 'v1');
      ok(await bulwark(['sign', 'image', caImage.reference, '--key', 'logged.key', '--cert', 'release.crt', '--cert-chain', 'ca/chain.pem', '--rekor-url', rekor.url, '--layout', 'classic'], dir), 'sign with certificate and log');
      const caFlags = ['--certificate-identity', 'release@example.com', '--certificate-oidc-issuer', 'https://idp.example.com', '--ca-roots', 'ca/root.crt'];
      const withLog = await bulwark(['verify', 'image', caImage.reference, ...caFlags, '--trusted-root', 'rekor-root.json', '--format', 'json'], dir);
      ok(withLog, 'verify CA + log');
      const signature = (JSON.parse(withLog.stdout) as { images: Array<{ signatures: Array<{ transparencyLog: string; signedAt?: string }> }> }).images[0]!.signatures[0]!;
      assert.equal(signature.transparencyLog, 'verified');
      assert.ok(signature.signedAt !== undefined && Math.abs(Date.parse(signature.signedAt) - Date.now()) < 120_000);
      const wrongIssuer = await bulwark(['verify', 'image', caImage.reference, ...caFlags.slice(0, 2), '--certificate-oidc-issuer', 'https://other.example.com', '--ca-roots', 'ca/root.crt'], dir);
      assert.equal(wrongIssuer.status, 1);
      assert.match(wrongIssuer.stdout, /identity-mismatch/);
      const unlogged = await pushImage(registry.host, 'keyless/ca-unlogged', 'v1');
      ok(await bulwark(['sign', 'image', unlogged.reference, '--key', 'logged.key', '--cert', 'release.crt', '--cert-chain', 'ca/chain.pem', '--layout', 'classic'], dir), 'sign without log');
      const required = await bulwark(['verify', 'image', unlogged.reference, ...caFlags, '--trusted-root', 'rekor-root.json'], dir);
      assert.equal(required.status, 1, 'with a trusted root, the log entry is required');
      assert.match(required.stdout, /transparency-log/);
    });
  });
});
