import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { assertNeverCrashes, assertNeverCrashesAsync } from '../testing/fuzz.ts';
import { credentialsFor, normaliseRegistryKey, parseDockerConfig, runCredentialHelper } from './docker-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-docker-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A real credential helper (a script speaking the protocol) on a private PATH. */
function helper(name: string, body: string): NodeJS.ProcessEnv {
  const path = join(dir, `docker-credential-${name}`);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return { PATH: `${dir}:/usr/bin:/bin` };
}

describe('Docker config credentials', () => {
  it('reads auths entries in their several key styles', async () => {
    const config = parseDockerConfig(JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('me:pw:with:colons').toString('base64') }, 'reg.example:5000': { username: 'u', password: 'p' } } }), 'cfg');
    assert.deepEqual(await credentialsFor('docker.io', config), { kind: 'basic', username: 'me', password: 'pw:with:colons' });
    assert.deepEqual(await credentialsFor('reg.example:5000', config), { kind: 'basic', username: 'u', password: 'p' });
    assert.equal(await credentialsFor('other.example', config), null);
    assert.equal(normaliseRegistryKey('https://ghcr.io/v2/'), 'ghcr.io');
  });

  it('runs credential helpers with an argument array; the host goes on stdin', async () => {
    const env = helper('test', 'read host; if [ "$1" = get ] && [ "$host" = "reg.example" ]; then echo "{\\"Username\\":\\"bot\\",\\"Secret\\":\\"s3\\"}"; else echo "credentials not found in native keychain"; exit 1; fi');
    const config = parseDockerConfig(JSON.stringify({ credHelpers: { 'reg.example': 'test' } }), 'cfg');
    assert.deepEqual(await credentialsFor('reg.example', config, 'cfg', env), { kind: 'basic', username: 'bot', password: 's3' });
    assert.equal(await runCredentialHelper('test', 'unknown.example', env), null);
    const store = parseDockerConfig(JSON.stringify({ credsStore: 'test' }), 'cfg');
    assert.equal(await credentialsFor('elsewhere.example', store, 'cfg', env), null);
  });

  it('identity tokens from helpers and config; refuses helper names that are not plain names', async () => {
    const env = helper('tok', 'read host; echo "{\\"Username\\":\\"<token>\\",\\"Secret\\":\\"refresh\\"}"');
    assert.deepEqual(await runCredentialHelper('tok', 'x', env), { kind: 'identity-token', username: '<token>', token: 'refresh' });
    await assert.rejects(runCredentialHelper('../../bin/sh', 'x', env), (e: unknown) => e instanceof BulwarkError && e.code === 'E_CONFIG');
    await assert.rejects(runCredentialHelper('missing', 'x', env), (e: unknown) => e instanceof BulwarkError && e.code === 'E_TOOL_MISSING');
    const config = parseDockerConfig(JSON.stringify({ auths: { 'a.example': { identitytoken: 'tok' } } }), 'cfg');
    assert.deepEqual(await credentialsFor('a.example', config), { kind: 'identity-token', username: '<token>', token: 'tok' });
  });

  it('never crashes on arbitrary config files (fuzz)', async () => {
    assertNeverCrashes(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ auths: v, credHelpers: v, credsStore: v }))), (text) => parseDockerConfig(text, 'fuzz'), 500);
    await assertNeverCrashesAsync(fc.record({ auths: fc.dictionary(fc.string(), fc.record({ auth: fc.oneof(fc.string(), fc.base64String()) })) }), (value) => credentialsFor('x', parseDockerConfig(JSON.stringify(value), 'fuzz')), 200);
  });
});
