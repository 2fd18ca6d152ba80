// Signing with a transparency log through the Sigstore signing library, against a stand-in Rekor v1
// log on 127.0.0.1 (no network here): the bundles carry the log's evidence, and verifying with the log's
// trusted root checks inclusion, the signed entry timestamp and the checkpoint.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileSigningKey } from '../../src/trust/keys/file-provider.ts';
import { COSIGN_SIGN_PREDICATE, generateKeyPair, keyId, parseBundle, parseTrustedRoot, signBlob, signEnvelopeBundle, verifyBlob, INTOTO_PAYLOAD_TYPE, buildStatement, type Authority } from '../../src/trust/index.ts';
import { startStandInRekor, type StandInRekor } from '../../src/trust/testing/rekor.ts';

describe('signing with a Rekor transparency log', () => {
  let rekor: StandInRekor;
  let key: FileSigningKey;
  let dir: string;
  before(async () => {
    rekor = await startStandInRekor();
    const pair = await generateKeyPair('ecdsa-p256');
    key = new FileSigningKey(pair.privateKey, pair.publicKey, 'test.key');
    dir = mkdtempSync(join(tmpdir(), 'bulwark-rekor-'));
  });
  after(async () => {
    await rekor?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const authority = (withLog: boolean): Authority => {
    const base: Authority = { name: 'release', keys: [{ key: key.publicKey, id: keyId(key.publicKey), source: 'test.pub' }], identities: [] };
    if (withLog) base.sigstore = { trust: parseTrustedRoot(rekor.trustedRoot, 'stand-in root'), tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: 1 };
    return base;
  };

  it('records a blob signature and verifies its inclusion', async () => {
    const data = Buffer.from('release artifact');
    const bundle = await signBlob(data, { key }, { rekorUrl: rekor.url });
    assert.equal(rekor.entries, 1);
    const parsed = parseBundle(bundle, 'blob bundle');
    assert.equal(parsed.bundle.verificationMaterial.tlogEntries.length, 1);
    assert.equal(parsed.bundle.verificationMaterial.tlogEntries[0]!.kindVersion?.kind, 'hashedrekord');
    const result = verifyBlob(data, parsed, [authority(true)]);
    assert.equal(result.verified, true, JSON.stringify(result.reason));
    assert.equal(result.evidence?.transparencyLog, 'verified');
    assert.ok(result.evidence?.signedAt);
    const offline = verifyBlob(data, parsed, [authority(false)]);
    assert.equal(offline.evidence?.transparencyLog, 'not-verified', 'without the log\'s root the entry is reported, not trusted');
  });

  it('records a DSSE attestation (dsse entry) and verifies it', async () => {
    const digest = 'ab'.repeat(32);
    const statement = buildStatement([{ name: 'app', digest: { sha256: digest } }], COSIGN_SIGN_PREDICATE, {});
    const { bundle } = await signEnvelopeBundle(INTOTO_PAYLOAD_TYPE, statement, { key }, { rekorUrl: rekor.url });
    const parsed = parseBundle(bundle, 'dsse bundle');
    assert.equal(parsed.bundle.verificationMaterial.tlogEntries[0]!.kindVersion?.kind, 'dsse');
    const { verifyBundle } = await import('../../src/trust/verify/bundle.ts');
    const result = verifyBundle(parsed, undefined, authority(true), new Date());
    assert.ok(result.ok, JSON.stringify(!result.ok && result.failure));
  });

  it('rejects a bundle whose log evidence was altered, or a log the verifier does not trust', async () => {
    const data = Buffer.from('another artifact');
    const bundle = JSON.parse((await signBlob(data, { key }, { rekorUrl: rekor.url })).toString()) as {
      verificationMaterial: { tlogEntries: Array<{ inclusionPromise: { signedEntryTimestamp: string }; integratedTime: string }> };
    };
    const entry = bundle.verificationMaterial.tlogEntries[0]!;
    entry.integratedTime = String(Number(entry.integratedTime) - 3600);
    const altered = verifyBlob(data, parseBundle(JSON.stringify(bundle), 'altered'), [authority(true)]);
    assert.equal(altered.verified, false);
    assert.equal(altered.reason?.code, 'transparency-log');
    const otherLog = await startStandInRekor();
    try {
      const foreign = parseBundle(await signBlob(data, { key }, { rekorUrl: otherLog.url }), 'foreign');
      const result = verifyBlob(data, foreign, [authority(true)]);
      assert.equal(result.verified, false);
      assert.equal(result.reason?.code, 'transparency-log');
    } finally {
      await otherLog.stop();
    }
  });

  it('works from the CLI: sign blob --rekor-url, verify blob --trusted-root', async () => {
    const { spawn } = await import('node:child_process');
    const { repoRoot } = await import('../support/shared.ts');
    const bin = join(repoRoot, 'bin', 'bulwark.js');
    const env = { ...process.env, BULWARK_PASSPHRASE: 'pw' };
    // Asynchronous: the stand-in log answers from this process, so the event loop must keep running.
    const run = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    assert.equal((await run(['key', 'generate', '-o', 'k', '--format', 'pkcs8'])).status, 0);
    writeFileSync(join(dir, 'file.txt'), 'contents');
    writeFileSync(join(dir, 'root.json'), rekor.trustedRoot);
    const signed = await run(['sign', 'blob', 'file.txt', '--key', 'k.key', '--bundle', 'file.bundle', '--rekor-url', rekor.url]);
    assert.equal(signed.status, 0, signed.stderr);
    assert.ok(readFileSync(join(dir, 'file.bundle'), 'utf8').includes('tlogEntries'));
    const verified = await run(['verify', 'blob', 'file.txt', '--bundle', 'file.bundle', '--key', 'k.pub', '--trusted-root', 'root.json']);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /\[transparency log verified\]/);
    const refused = await run(['sign', 'blob', 'file.txt', '--key', 'k.key', '--rekor-url', 'http://rekor.example.com']);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /--rekor-url must use https/);
  });
});
