// Interoperability with the real cosign (built by scripts/setup-cosign.sh) through a real registry:
// what cosign signs Bulwark verifies, what Bulwark signs cosign verifies, for image signatures (both
// layouts), attestations, blobs and certificate chains; tampering is caught by both. Offline: no
// transparency log upload, verification with --insecure-ignore-tlog.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/image/registry/client.ts';
import { ANNOTATION, buildClassicManifest, parseClassicManifest, signatureTag } from '../../src/trust/layouts/cosign-classic.ts';
import { MEDIA } from '../../src/image/registry/referrers.ts';
import { pushImage } from '../../src/trust/testing/images.ts';
import { registryMissing, startRegistry, type TestRegistry } from '../support/registry.ts';
import { repoRoot } from '../support/shared.ts';

const toolsDir = process.env.BULWARK_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bulwark', 'tools');
const cosignPath = join(toolsDir, 'bin', 'cosign');
const missing = !existsSync(cosignPath) ? `cosign not built at ${cosignPath}; run scripts/setup-cosign.sh (needs Go)` : registryMissing();

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const env = {
  ...process.env,
  COSIGN_PASSWORD: 'cosign-pass',
  BULWARK_PASSPHRASE: 'cosign-pass',
  BULWARK_CA_PASSPHRASE: 'ca-pass',
  NO_COLOR: '1',
  // Keep cosign away from any network service: no TUF refresh, no transparency log.
  TUF_ROOT: join(tmpdir(), 'bulwark-cosign-tuf'),
  SIGSTORE_NO_CACHE: 'true',
};

function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const bulwark = (args: string[], cwd: string) => run(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), ...args], cwd);
const cosign = (args: string[], cwd: string) => run(cosignPath, args, cwd);
/** Offline signing: no signing config services, no transparency log. */
const OFFLINE_SIGN = ['--use-signing-config=false', '--tlog-upload=false', '--yes'];

function ok(result: Run, what: string): void {
  assert.equal(result.status, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
}

describe('interoperability with cosign', () => {
  let registry: TestRegistry;
  let dir: string;
  before(async () => {
    if (missing) return;
    registry = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'bulwark-cosign-'));
    ok(await cosign(['generate-key-pair', '--output-key-prefix', 'cosign'], dir), 'cosign generate-key-pair');
    ok(await bulwark(['key', 'generate', '-o', 'bulwark'], dir), 'bulwark key generate');
    writeFileSync(join(dir, 'provenance.json'), JSON.stringify({ buildDefinition: { buildType: 'https://ci.example.com/build/v1' } }));
  });
  after(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads cosign keys, and cosign reads Bulwark keys', async (t) => {
    if (missing) return t.skip(missing);
    assert.match(readFileSync(join(dir, 'cosign.key'), 'utf8'), /BEGIN ENCRYPTED SIGSTORE PRIVATE KEY/);
    const publicFromCosignKey = await bulwark(['key', 'public', '--key', 'cosign.key'], dir);
    ok(publicFromCosignKey, 'bulwark key public');
    assert.equal(publicFromCosignKey.stdout, readFileSync(join(dir, 'cosign.pub'), 'utf8'));
    const blob = join(dir, 'key-check.txt');
    writeFileSync(blob, 'key check');
    ok(await cosign(['sign-blob', '--key', 'bulwark.key', '--bundle', 'key-check.bundle', ...OFFLINE_SIGN, 'key-check.txt'], dir), 'cosign sign-blob with a Bulwark key');
    ok(await bulwark(['verify', 'blob', 'key-check.txt', '--bundle', 'key-check.bundle', '--key', 'bulwark.pub'], dir), 'verify');
    // Ed25519: cosign signs the raw message and records no digest; both directions verify.
    ok(await bulwark(['key', 'generate', '-o', 'ed', '--algorithm', 'ed25519'], dir), 'ed25519 key');
    ok(await cosign(['sign-blob', '--key', 'ed.key', '--bundle', 'ed.cosign.json', ...OFFLINE_SIGN, 'key-check.txt'], dir), 'cosign sign-blob (ed25519)');
    ok(await bulwark(['verify', 'blob', 'key-check.txt', '--bundle', 'ed.cosign.json', '--key', 'ed.pub'], dir), 'bulwark verify (ed25519)');
    ok(await bulwark(['sign', 'blob', 'key-check.txt', '--key', 'ed.key', '--bundle', 'ed.bulwark.json'], dir), 'bulwark sign blob (ed25519)');
    ok(await cosign(['verify-blob', '--key', 'ed.pub', '--bundle', 'ed.bulwark.json', '--insecure-ignore-tlog', 'key-check.txt'], dir), 'cosign verify-blob (ed25519)');
  });

  it('cosign signs (bundle and classic layouts) → Bulwark verifies', async (t) => {
    if (missing) return t.skip(missing);
    const image = await pushImage(registry.host, 'interop/cosign-signed', 'v1');
    ok(await cosign(['sign', '--key', 'cosign.key', ...OFFLINE_SIGN, image.byDigest], dir), 'cosign sign (bundle)');
    const bundleOnly = await bulwark(['verify', 'image', image.reference, '--key', 'cosign.pub'], dir);
    ok(bundleOnly, 'bulwark verify (bundle)');
    assert.match(bundleOnly.stdout, /signature {4}sigstore-bundle key/);
    ok(await cosign(['sign', '--key', 'cosign.key', '--new-bundle-format=false', ...OFFLINE_SIGN, image.byDigest], dir), 'cosign sign (classic)');
    const both = await bulwark(['verify', 'image', image.reference, '--key', 'cosign.pub'], dir);
    ok(both, 'bulwark verify (both)');
    assert.match(both.stdout, /signature {4}cosign-classic {2}key/);
    const wrongKey = await bulwark(['verify', 'image', image.reference, '--key', 'bulwark.pub'], dir);
    assert.equal(wrongKey.status, 1);
  });

  it('Bulwark signs (both layouts) → cosign verify --key passes, in each layout', async (t) => {
    if (missing) return t.skip(missing);
    const bundleImage = await pushImage(registry.host, 'interop/bulwark-bundle', 'v1');
    ok(await bulwark(['sign', 'image', bundleImage.reference, '--key', 'bulwark.key', '--layout', 'bundle'], dir), 'bulwark sign (bundle)');
    const viaBundle = await cosign(['verify', '--key', 'bulwark.pub', '--insecure-ignore-tlog', bundleImage.byDigest], dir);
    ok(viaBundle, 'cosign verify (bundle)');
    assert.match(viaBundle.stdout, new RegExp(bundleImage.digest));
    const classicImage = await pushImage(registry.host, 'interop/bulwark-classic', 'v1');
    ok(await bulwark(['sign', 'image', classicImage.reference, '--key', 'bulwark.key', '--layout', 'classic', '-a', 'team=platform'], dir), 'bulwark sign (classic)');
    const viaClassic = await cosign(['verify', '--key', 'bulwark.pub', '--insecure-ignore-tlog', '--new-bundle-format=false', '-a', 'team=platform', classicImage.byDigest], dir);
    ok(viaClassic, 'cosign verify (classic)');
    assert.match(viaClassic.stdout, /"docker-manifest-digest":"sha256:/);
    const otherKey = await cosign(['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog', '--new-bundle-format=false', classicImage.byDigest], dir);
    assert.notEqual(otherKey.status, 0, 'cosign rejects the wrong key too');
  });

  it('attestations: cosign attest → Bulwark verifies; Bulwark attest → cosign verify-attestation', async (t) => {
    if (missing) return t.skip(missing);
    const image = await pushImage(registry.host, 'interop/attested', 'v1');
    ok(await cosign(['attest', '--key', 'cosign.key', '--type', 'slsaprovenance1', '--predicate', 'provenance.json', ...OFFLINE_SIGN, image.byDigest], dir), 'cosign attest (bundle)');
    ok(await cosign(['attest', '--key', 'cosign.key', '--type', 'slsaprovenance1', '--predicate', 'provenance.json', '--new-bundle-format=false', ...OFFLINE_SIGN, image.byDigest], dir), 'cosign attest (classic)');
    const verified = await bulwark(['verify', 'attestation', image.reference, '--type', 'slsaprovenance1', '--key', 'cosign.pub'], dir);
    ok(verified, 'bulwark verify attestation');
    assert.match(verified.stdout, /attestation {2}cosign-classic {2}https:\/\/slsa\.dev\/provenance\/v1/);
    assert.match(verified.stdout, /attestation {2}sigstore-bundle https:\/\/slsa\.dev\/provenance\/v1/);
    const wrongType = await bulwark(['verify', 'attestation', image.reference, '--type', 'cyclonedx', '--key', 'cosign.pub'], dir);
    assert.equal(wrongType.status, 1);
    const mine = await pushImage(registry.host, 'interop/bulwark-attested', 'v1');
    ok(await bulwark(['attest', 'image', mine.reference, '--key', 'bulwark.key', '--type', 'slsaprovenance1', '--predicate', 'provenance.json'], dir), 'bulwark attest');
    ok(await cosign(['verify-attestation', '--key', 'bulwark.pub', '--insecure-ignore-tlog', '--type', 'slsaprovenance1', mine.byDigest], dir), 'cosign verify-attestation (bundle)');
    ok(await cosign(['verify-attestation', '--key', 'bulwark.pub', '--insecure-ignore-tlog', '--new-bundle-format=false', '--type', 'slsaprovenance1', mine.byDigest], dir), 'cosign verify-attestation (classic)');
  });

  it('blobs: cosign sign-blob → Bulwark verifies; Bulwark sign blob → cosign verify-blob; a changed file fails both', async (t) => {
    if (missing) return t.skip(missing);
    writeFileSync(join(dir, 'release.tar'), 'release contents');
    ok(await cosign(['sign-blob', '--key', 'cosign.key', '--bundle', 'release.cosign.json', ...OFFLINE_SIGN, 'release.tar'], dir), 'cosign sign-blob');
    ok(await bulwark(['verify', 'blob', 'release.tar', '--bundle', 'release.cosign.json', '--key', 'cosign.pub'], dir), 'bulwark verify blob');
    ok(await bulwark(['sign', 'blob', 'release.tar', '--key', 'bulwark.key', '--bundle', 'release.bulwark.json'], dir), 'bulwark sign blob');
    ok(await cosign(['verify-blob', '--key', 'bulwark.pub', '--bundle', 'release.bulwark.json', '--insecure-ignore-tlog', 'release.tar'], dir), 'cosign verify-blob');
    writeFileSync(join(dir, 'release.tar'), 'release contents, changed');
    assert.equal((await bulwark(['verify', 'blob', 'release.tar', '--bundle', 'release.cosign.json', '--key', 'cosign.pub'], dir)).status, 1);
    assert.notEqual((await cosign(['verify-blob', '--key', 'bulwark.pub', '--bundle', 'release.bulwark.json', '--insecure-ignore-tlog', 'release.tar'], dir)).status, 0);
  });

  it('certificates from `bulwark ca`: each verifies what the other signed, and a rogue chain fails both', async (t) => {
    if (missing) return t.skip(missing);
    ok(await bulwark(['ca', 'init', '--dir', 'ca'], dir), 'bulwark ca init');
    ok(await bulwark(['ca', 'issue', '--dir', 'ca', '--identity', 'release@example.com', '--oidc-issuer', 'https://idp.example.com', '--public-key', 'bulwark.pub', '-o', 'release.crt'], dir), 'ca issue');
    ok(await bulwark(['ca', 'trusted-root', '--dir', 'ca', '-o', 'ca-root.json'], dir), 'ca trusted-root');
    const identity = ['--certificate-identity', 'release@example.com', '--certificate-oidc-issuer', 'https://idp.example.com'];
    const image = await pushImage(registry.host, 'interop/certified', 'v1');
    ok(await bulwark(['sign', 'image', image.reference, '--key', 'bulwark.key', '--cert', 'release.crt', '--cert-chain', 'ca/chain.pem'], dir), 'bulwark sign --cert');
    ok(await cosign(['verify', ...identity, '--ca-roots', 'ca/root.crt', '--ca-intermediates', 'ca/intermediate.crt', '--insecure-ignore-tlog', '--insecure-ignore-sct', '--new-bundle-format=false', image.byDigest], dir), 'cosign verify (classic, --ca-roots)');
    ok(await cosign(['verify', ...identity, '--trusted-root', 'ca-root.json', '--insecure-ignore-tlog', '--insecure-ignore-sct', image.byDigest], dir), 'cosign verify (bundle, --trusted-root)');
    const cosignSigned = await pushImage(registry.host, 'interop/cosign-certified', 'v1');
    for (const layout of ['true', 'false']) {
      ok(await cosign(['sign', '--key', 'bulwark.key', '--certificate', 'release.crt', '--certificate-chain', 'ca/chain.pem', `--new-bundle-format=${layout}`, ...OFFLINE_SIGN, cosignSigned.byDigest], dir), `cosign sign --certificate (new-bundle-format=${layout})`);
    }
    const caFlags = ['--cert-identity', 'release@example.com', '--ca-roots', 'ca/root.crt', '--ca-intermediates', 'ca/intermediate.crt'];
    const verified = await bulwark(['verify', 'image', cosignSigned.reference, ...caFlags], dir);
    ok(verified, 'bulwark verify --cert-identity');
    assert.match(verified.stdout, /cosign-classic {2}release@example\.com/);
    assert.match(verified.stdout, /sigstore-bundle release@example\.com/);
    // A rogue CA with the same names: a certificate it issues chains to neither verifier's root.
    ok(await bulwark(['ca', 'init', '--dir', 'rogue'], dir), 'rogue ca');
    ok(await bulwark(['ca', 'issue', '--dir', 'rogue', '--identity', 'release@example.com', '--oidc-issuer', 'https://idp.example.com', '--public-key', 'bulwark.pub', '-o', 'rogue.crt'], dir), 'rogue issue');
    const forged = await pushImage(registry.host, 'interop/forged', 'v1');
    ok(await bulwark(['sign', 'image', forged.reference, '--key', 'bulwark.key', '--cert', 'rogue.crt', '--cert-chain', 'rogue/chain.pem', '--layout', 'classic'], dir), 'sign with rogue cert');
    const bulwarkSays = await bulwark(['verify', 'image', forged.reference, ...caFlags], dir);
    assert.equal(bulwarkSays.status, 1);
    assert.match(bulwarkSays.stdout, /certificate-chain/);
    const cosignSays = await cosign(['verify', ...identity, '--ca-roots', 'ca/root.crt', '--ca-intermediates', 'ca/intermediate.crt', '--insecure-ignore-tlog', '--insecure-ignore-sct', '--new-bundle-format=false', forged.byDigest], dir);
    assert.notEqual(cosignSays.status, 0);
  });

  it('tampering with the payload, the signature or the digest is detected by both', async (t) => {
    if (missing) return t.skip(missing);
    const image = await pushImage(registry.host, 'interop/tamper', 'v1');
    const decoy = await pushImage(registry.host, 'interop/tamper', 'decoy');
    ok(await cosign(['sign', '--key', 'cosign.key', '--new-bundle-format=false', ...OFFLINE_SIGN, image.byDigest], dir), 'cosign sign');
    ok(await cosign(['sign', '--key', 'cosign.key', '--new-bundle-format=false', ...OFFLINE_SIGN, decoy.byDigest], dir), 'cosign sign decoy');
    const client = new RegistryClient({ host: registry.host, plainHttpLoopback: true });
    const tag = signatureTag(image.digest);
    const original = (await client.findManifest('interop/tamper', tag))!;
    const [layer] = parseClassicManifest(original.bytes, 'sig');
    const payload = await client.readBlob('interop/tamper', layer!, 1 << 20);
    const replace = async (newPayload: Buffer, annotations: Record<string, string>) => {
      const blob = await client.putBlob('interop/tamper', newPayload);
      const { manifest, config } = buildClassicManifest([{ descriptor: { mediaType: layer!.mediaType, digest: blob.digest, size: blob.size, annotations } }]);
      await client.putBlob('interop/tamper', config);
      await client.putManifest('interop/tamper', tag, MEDIA.ociManifest, manifest);
    };
    const bothReject = async (what: string) => {
      const b = await bulwark(['verify', 'image', image.byDigest, '--key', 'cosign.pub'], dir);
      assert.equal(b.status, 1, `bulwark accepted ${what}`);
      const c = await cosign(['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog', '--new-bundle-format=false', image.byDigest], dir);
      assert.notEqual(c.status, 0, `cosign accepted ${what}`);
      return b.stdout;
    };
    await replace(Buffer.from(payload.toString().replace('"optional":', '"optional":{"x":"y"},"_":')), layer!.annotations!);
    assert.match(await bothReject('a changed payload'), /signature-mismatch|malformed/);
    const signature = Buffer.from(layer!.annotations![ANNOTATION.signature]!, 'base64');
    signature[signature.length - 2]! ^= 0x10;
    await replace(payload, { ...layer!.annotations!, [ANNOTATION.signature]: signature.toString('base64') });
    await bothReject('a changed signature');
    // The decoy's valid signature, moved under this image's signature tag: it signs another digest.
    const decoyManifest = (await client.findManifest('interop/tamper', signatureTag(decoy.digest)))!;
    await client.putManifest('interop/tamper', tag, MEDIA.ociManifest, decoyManifest.bytes);
    assert.match(await bothReject('a signature of another digest'), /digest-mismatch/);
    await client.putManifest('interop/tamper', tag, MEDIA.ociManifest, original.bytes);
    ok(await bulwark(['verify', 'image', image.byDigest, '--key', 'cosign.pub'], dir), 'restored');
  });
});
