// The trust commands as a user meets them: help with examples, usage errors with exit code 2 and a
// message that says what to do, and the offline key → certificate → sign → verify flow for files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../support/shared.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-trust-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function bulwark(args: string[], input = '', extraEnv: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env.BULWARK_PASSPHRASE;
  delete env.BULWARK_CA_PASSPHRASE;
  return spawnSync(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), ...args], { cwd: dir, env: { ...env, ...extraEnv }, input, encoding: 'utf8', timeout: 120_000 });
}

describe('trust commands: help and usage errors', () => {
  for (const command of [['key', 'generate'], ['key', 'public'], ['ca', 'init'], ['ca', 'issue'], ['ca', 'trusted-root'], ['sign', 'image'], ['sign', 'blob'], ['attest', 'image'], ['verify', 'image'], ['verify', 'blob'], ['verify', 'attestation']]) {
    it(`${command.join(' ')} --help shows an example`, () => {
      const result = bulwark([...command, '--help']);
      assert.equal(result.status, 0);
      assert.match(result.stdout, new RegExp(`Examples:\\n\\s+\\$ bulwark ${command.join(' ')}`));
    });
  }

  it('says whom to trust when verify has no key, identity or policy (exit 2)', () => {
    const result = bulwark(['verify', 'image', 'registry.example.com/app:1']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /say whom to trust: --key FILE, or --cert-identity/);
  });

  it('refuses a malformed image reference, a missing key file and a passphrase it cannot get (exit 2)', () => {
    writeFileSync(join(dir, 'k.pub'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
    const badRef = bulwark(['verify', 'image', 'Registry/App:latest', '--key', 'k.pub']);
    assert.equal(badRef.status, 2);
    assert.match(badRef.stderr, /invalid image reference "Registry\/App:latest"/);
    const noKey = bulwark(['sign', 'blob', 'k.pub', '--key', 'missing.key']);
    assert.equal(noKey.status, 2);
    assert.match(noKey.stderr, /missing\.key: no such file/);
    const noPass = bulwark(['key', 'generate', '-o', 'nopass']);
    assert.equal(noPass.status, 2);
    assert.match(noPass.stderr, /pass --passphrase-stdin or set BULWARK_PASSPHRASE/);
  });

  it('key generate into a missing directory names the file and says why in words (exit 2)', () => {
    const result = bulwark(['key', 'generate', '-o', join('no-such-dir', 'k'), '--passphrase-stdin'], 'p\n');
    assert.equal(result.status, 2);
    assert.equal(result.stderr, `bulwark: ${join('no-such-dir', 'k.key')}: cannot write the key file: no such file or directory\n`);
  });
});

describe('offline flow: key → CA certificate → sign blob → verify blob', () => {
  it('works end to end with the passphrase from stdin and environment', () => {
    const generated = bulwark(['key', 'generate', '-o', 'release', '--passphrase-stdin'], 'key pass\n');
    assert.equal(generated.status, 0, generated.stderr);
    assert.match(generated.stdout, /^wrote release\.key\nwrote release\.pub\nkey id sha256:[0-9a-f]{16}\n$/);
    assert.equal(statSync(join(dir, 'release.key')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(dir, 'release.key'), 'utf8'), /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----/);
    const ca = bulwark(['ca', 'init', '--dir', 'ca', '--format', 'pkcs8', '--name', 'Example'], '', { BULWARK_CA_PASSPHRASE: 'ca pass' });
    assert.equal(ca.status, 0, ca.stderr);
    assert.match(ca.stdout, /root CN=Example Root CA valid until/);
    const issued = bulwark(['ca', 'issue', '--dir', 'ca', '--identity', 'https://ci.example.com/pipelines/release', '--public-key', 'release.pub', '-o', 'release.crt', '--validity', '2h'], '', { BULWARK_CA_PASSPHRASE: 'ca pass' });
    assert.equal(issued.status, 0, issued.stderr);
    const wrongCaPass = bulwark(['ca', 'issue', '--dir', 'ca', '--identity', 'x@example.com', '--public-key', 'release.pub'], '', { BULWARK_CA_PASSPHRASE: 'nope' });
    assert.equal(wrongCaPass.status, 2);
    assert.match(wrongCaPass.stderr, /wrong passphrase/);
    writeFileSync(join(dir, 'app.tgz'), 'artifact bytes');
    const signed = bulwark(['sign', 'blob', 'app.tgz', '--key', 'release.key', '--cert', 'release.crt', '--cert-chain', 'ca/chain.pem', '--bundle', 'app.tgz.sigstore.json', '--passphrase-env', 'MY_PASS'], '', { MY_PASS: 'key pass' });
    assert.equal(signed.status, 0, signed.stderr);
    const verify = (extra: string[]) => bulwark(['verify', 'blob', 'app.tgz', '--bundle', 'app.tgz.sigstore.json', ...extra]);
    const byIdentity = verify(['--cert-identity', 'https://ci.example.com/pipelines/release', '--ca-roots', 'ca/root.crt', '--ca-intermediates', 'ca/intermediate.crt']);
    assert.equal(byIdentity.status, 0, byIdentity.stdout + byIdentity.stderr);
    assert.match(byIdentity.stdout, /signed by https:\/\/ci\.example\.com\/pipelines\/release/);
    const byKey = verify(['--key', 'release.pub', '--format', 'json']);
    assert.equal(byKey.status, 0);
    const report = JSON.parse(byKey.stdout) as { schemaVersion: string; blob: { verified: boolean; signer: { kind: string } } };
    assert.equal(report.blob.verified, true);
    assert.equal(report.blob.signer.kind, 'key');
    const wrongCertificateKey = bulwark(['sign', 'blob', 'app.tgz', '--key', 'other.key', '--cert', 'release.crt']);
    assert.equal(wrongCertificateKey.status, 2);
    writeFileSync(join(dir, 'app.tgz'), 'artifact bytes, changed');
    const changed = verify(['--key', 'release.pub']);
    assert.equal(changed.status, 1);
    assert.match(changed.stdout, /^FAILED app\.tgz .*digest-mismatch/);
  });
});
