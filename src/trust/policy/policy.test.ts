import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { generateKeyPair } from '../keys/generate.ts';
import { publicKeyPem } from '../keys/public-key.ts';
import { makeHierarchy } from '../testing/pki.ts';
import { compileImageGlob } from './glob.ts';
import { decide, parseTrustPolicy } from './load.ts';

describe('image globs', () => {
  it('match within and across path segments', () => {
    const one = compileImageGlob('registry.example.com/team/*', 'g');
    assert.ok(one.test('registry.example.com/team/app'));
    assert.equal(one.test('registry.example.com/team/sub/app'), false);
    const deep = compileImageGlob('registry.example.com/**', 'g');
    assert.ok(deep.test('registry.example.com/team/sub/app'));
    assert.equal(deep.test('registry.example.com.evil/app'), false);
    const middle = compileImageGlob('ghcr.io/**/app', 'g');
    assert.ok(middle.test('ghcr.io/app'));
    assert.ok(middle.test('ghcr.io/org/team/app'));
    assert.equal(compileImageGlob('a.b/c', 'g').test('aXb/c'), false, 'dots are literal');
  });
});

describe('trust policy files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-policy-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  before(async () => {
    writeFileSync(join(dir, 'release.pub'), publicKeyPem((await generateKeyPair('ecdsa-p256')).publicKey));
    const { root, intermediate } = await makeHierarchy();
    writeFileSync(join(dir, 'root.crt'), root.cert.node.toString());
    writeFileSync(join(dir, 'intermediate.crt'), intermediate.cert.node.toString());
  });

  const policyText = `apiVersion: bulwark.dev/v1
kind: ImageTrustPolicy
authorities:
  - name: release
    keys: [release.pub]
  - name: ci
    ca:
      roots: [root.crt]
      intermediates: [intermediate.crt]
    identities:
      - subjectRegExp: '^https://ci\\.example\\.com/'
rules:
  - name: production
    images: ["registry.example.com/prod/**"]
    signatures: { minimum: 2 }
    attestations:
      - type: slsaprovenance1
        authorities: [ci]
        conditions:
          - path: predicate.buildDefinition.buildType
            equals: https://ci.example.com/build/v1
  - name: mirrors
    images: ["docker.io/library/*"]
    action: allow
  - name: dev
    images: ["registry.example.com/dev/*"]
    signatures: { authorities: [release] }
defaultAction: deny
`;

  it('compiles authorities and rules, and decides per image', async () => {
    const policy = await parseTrustPolicy(policyText, 'policy.yaml', dir);
    const production = decide(policy, 'registry.example.com/prod/team/api');
    assert.equal(production.action, 'verify');
    assert.equal(production.action === 'verify' && production.policy.signatures.minimum, 2);
    assert.equal(production.action === 'verify' && production.policy.attestations[0]!.predicateType, 'https://slsa.dev/provenance/v1');
    assert.equal(production.action === 'verify' && production.policy.authorities.length, 2);
    assert.deepEqual(decide(policy, 'docker.io/library/nginx'), { action: 'allow', rule: 'mirrors' });
    assert.deepEqual(decide(policy, 'quay.io/x/y'), { action: 'deny', rule: undefined });
    const dev = decide(policy, 'registry.example.com/dev/app');
    assert.deepEqual(dev.action === 'verify' && dev.policy.signatures, { minimum: 1, authorities: ['release'] });
  });

  it('names the file, line and field of each mistake', async () => {
    const typo = policyText.replace('minimum: 2', 'minimun: 2');
    await assert.rejects(parseTrustPolicy(typo, 'policy.yaml', dir), (error: unknown) => {
      assert.ok(error instanceof BulwarkError);
      assert.equal(error.code, 'E_CONFIG');
      assert.match(error.toString(), /^policy\.yaml:15:19: rules\.0\.signatures\.minimun: unknown key/);
      return true;
    });
    await assert.rejects(parseTrustPolicy(policyText.replace('authorities: [ci]', 'authorities: [cii]'), 'policy.yaml', dir), /rules\.0\.attestations\.0\.authorities\.0: no authority is named "cii"/);
    await assert.rejects(parseTrustPolicy(policyText.replace('[release.pub]', '[missing.pub]'), 'policy.yaml', dir), /authorities\.0: PEM file .*missing\.pub: no such file/);
    await assert.rejects(parseTrustPolicy(policyText.replace('minimum: 2', 'minimum: 3'), 'policy.yaml', dir), /asks for 3 authorities but names only 2/);
    await assert.rejects(parseTrustPolicy('kind: ImageTrustPolicy', 'p.yaml', dir), /p\.yaml:1:1: the top level|apiVersion/);
  });

  it('reads the transparency logs a CA authority requires', async () => {
    const { startStandInRekor } = await import('../testing/rekor.ts');
    const rekor = await startStandInRekor();
    try {
      writeFileSync(join(dir, 'logs.json'), rekor.trustedRoot);
      const withLogs = policyText.replace('      intermediates: [intermediate.crt]\n', '      intermediates: [intermediate.crt]\n      transparencyLogs: logs.json\n');
      const production = decide(await parseTrustPolicy(withLogs, 'policy.yaml', dir), 'registry.example.com/prod/team/api');
      const ci = production.action === 'verify' ? production.policy.authorities.find((authority) => authority.name === 'ci') : undefined;
      assert.equal(ci?.transparency?.source, 'logs.json');
      await assert.rejects(parseTrustPolicy(withLogs.replace('logs.json', 'missing.json'), 'policy.yaml', dir), /missing\.json/);
    } finally {
      await rekor.stop();
    }
  });

  it('needs identities for CA authorities', async () => {
    const noIdentities = policyText.replace(/ {4}identities:\n.*\n/, '');
    assert.ok(!noIdentities.includes('identities'));
    await assert.rejects(parseTrustPolicy(noIdentities, 'policy.yaml', dir), /certificates are trusted only for named identities/);
  });

  it('never crashes on hostile policy text (fuzz)', async () => {
    const fragments = fc.array(fc.oneof(fc.constantFrom('apiVersion: bulwark.dev/v1', 'kind: ImageTrustPolicy', 'authorities:', '  - name: a', '    keys: [release.pub]', 'rules:', '  - images: ["**"]', '    signatures: {minimum: 1}', 'defaultAction: allow', '&a [*a]', '{', '- ['), fc.string({ maxLength: 15 })), { maxLength: 10 });
    await fc.assert(
      fc.asyncProperty(fragments, async (lines) => {
        try {
          await parseTrustPolicy(lines.join('\n'), 'fuzz.yaml', dir);
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
        }
      }),
      { numRuns: 150 },
    );
  });
});
