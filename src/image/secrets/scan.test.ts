import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { allowedPath } from './allow.ts';
import { scanForSecrets, shouldScanForSecrets } from './scan.ts';
import { SECRET_RULES } from './rules.ts';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const token = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5';

/** One true positive per rule, written as they appear in real files. */
const POSITIVES: Record<string, string> = {
  'private-key': privateKey,
  'aws-access-key-id': 'aws_access_key_id = AKIAZ7Q3XRTV5BN2MK4P\n',
  'aws-secret-access-key': 'aws_secret_access_key = 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\n',
  'github-token': `TOKEN=${token}\n`,
  'gitlab-token': 'glpat-Ab3De5Gh7Jk9Mn1Pq3St\n',
  'slack-token': 'xoxb-123456789012-abcdefghijkl\n',
  'slack-webhook': 'https://hooks.slack.com/services/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\n',
  'google-api-key': 'key: AIzaSyA3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3h\n',
  'stripe-secret-key': 'sk_live_aB3dE5gH7jK9mN1pQ3sT5vW7\n',
  'npm-token': 'npm_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5\n',
  'npmrc-auth-token': '//registry.npmjs.org/:_authToken=aB3dE5gH7jK9mN1pQ3sT5vW7\n',
  'docker-config-auth': '{"auths":{"r.example":{"auth":"dXNlcjpwYXNzd29yZDEyMw=="}}}\n',
};

describe('secrets in files', () => {
  it('every rule finds its secret, with line and column, and never returns the value', () => {
    for (const rule of SECRET_RULES) {
      const text = POSITIVES[rule.id];
      assert.ok(text !== undefined, `a positive sample for ${rule.id}`);
      const found = scanForSecrets(Buffer.from(`# config\n${text}`));
      assert.ok(found.some((m) => m.rule === rule.id), `${rule.id} in ${JSON.stringify(found)}`);
      assert.ok(!JSON.stringify(found).includes(text.trim().slice(-12)), 'the secret is not in the result');
    }
    const [match] = scanForSecrets(Buffer.from(`a\nb\n  X=${token}`));
    assert.deepEqual([match!.line, match!.column], [3, 5]);
  });

  it('does not report documentation, placeholders, AWS example keys, armour lines or binaries', () => {
    const negatives = [
      'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
      'Keys start with -----BEGIN RSA PRIVATE KEY----- and end with -----END RSA PRIVATE KEY-----.\n',
      'token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n',
      '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n',
    ];
    for (const text of negatives) assert.deepEqual(scanForSecrets(Buffer.from(text)), [], text);
    assert.deepEqual(scanForSecrets(Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(POSITIVES['github-token']!)])), []);
    assert.ok(allowedPath('app/node_modules/ssh2/test/fixtures/id_rsa') !== null);
    assert.ok(allowedPath('usr/lib/python3.11/test/keycert.pem') !== null);
    assert.equal(allowedPath('root/.ssh/id_rsa'), null);
    assert.ok(!shouldScanForSecrets('usr/lib/x86_64-linux-gnu/libc.so.6'));
  });

  it('bounds the bytes scanned per file', () => {
    const late = Buffer.concat([Buffer.alloc(2 * 1024 * 1024, 0x61), Buffer.from(`\n${POSITIVES['github-token']}`)]);
    assert.deepEqual(scanForSecrets(late), []);
  });

  it('never crashes and runs in bounded time on arbitrary text (fuzz)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom(...Object.values(POSITIVES), 'PRIVATE KEY', '-----BEGIN', 'aws', 'AKIA', '"auth"', '_authToken')), { maxLength: 40 }), (parts) => {
        const started = performance.now();
        scanForSecrets(Buffer.from(parts.join(''), 'latin1'));
        assert.ok(performance.now() - started < 2000);
      }),
      { numRuns: 300 },
    );
  });
});
