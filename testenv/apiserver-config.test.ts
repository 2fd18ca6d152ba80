import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { load } from 'js-yaml';
import { BulwarkError } from '../src/core/errors.ts';
import {
  auditWebhookKubeconfig,
  configDocument,
  ENCRYPTION_API_VERSIONS,
  encryptionConfiguration,
  METADATA_AUDIT_POLICY,
  tokenFile,
} from './apiserver-config.ts';

const code = (expected: string, pattern?: RegExp) => (error: unknown): boolean => {
  assert.ok(error instanceof BulwarkError, String(error));
  assert.equal(error.code, expected);
  if (pattern !== undefined) assert.match(error.message, pattern);
  return true;
};

describe('configDocument', () => {
  const check = (input: string | Record<string, unknown>): string => configDocument(input, 'encryption', 'EncryptionConfiguration', ENCRYPTION_API_VERSIONS);

  it('accepts an object or YAML text of the right kind; text is kept as written', () => {
    const object = encryptionConfiguration('aesgcm');
    assert.deepEqual(JSON.parse(check(object)), object);
    const yaml = '# mine\napiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: []\n';
    assert.equal(check(yaml), yaml);
  });

  it('names the option and what is wrong', () => {
    assert.throws(() => check('kind: [unclosed'), code('E_PARSE', /^encryption: not valid YAML/));
    assert.throws(() => check('- a list'), code('E_INPUT', /expected a EncryptionConfiguration object/));
    assert.throws(() => check({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'Policy' }), code('E_INPUT', /expected kind EncryptionConfiguration, found "Policy"/));
    assert.throws(() => check({ apiVersion: 'v1', kind: 'EncryptionConfiguration' }), code('E_INPUT', /apiVersion must be one of apiserver\.config\.k8s\.io\/v1, found "v1"/));
    assert.throws(() => check('x'.repeat(1024 * 1024 + 1)), code('E_TOO_LARGE'));
  });

  it('never crashes on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('kind: EncryptionConfiguration\napiVersion: ', '{', '&a [*a]', '!!binary x')), (text) => {
        try {
          check(text);
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('encryptionConfiguration', () => {
  it('uses a fresh 32-byte key each time, identity as the read fallback', () => {
    const a = encryptionConfiguration('aescbc', ['secrets', 'configmaps']) as { resources: { resources: string[]; providers: Record<string, { keys?: { secret: string }[] }>[] }[] };
    const b = encryptionConfiguration('aescbc') as typeof a;
    const keyOf = (config: typeof a): string => config.resources[0]!.providers[0]!.aescbc!.keys![0]!.secret;
    assert.equal(Buffer.from(keyOf(a), 'base64').length, 32);
    assert.notEqual(keyOf(a), keyOf(b));
    assert.deepEqual(a.resources[0]!.resources, ['secrets', 'configmaps']);
    assert.deepEqual(a.resources[0]!.providers[1], { identity: {} });
  });
});

describe('auditWebhookKubeconfig', () => {
  it('points the receiver cluster at the url with the CA embedded', () => {
    const config = load(auditWebhookKubeconfig({ url: 'https://127.0.0.1:8443/audit', ca: 'PEM' })) as { clusters: { cluster: Record<string, string> }[]; 'current-context': string };
    assert.equal(config.clusters[0]!.cluster.server, 'https://127.0.0.1:8443/audit');
    assert.equal(Buffer.from(config.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString(), 'PEM');
    assert.equal(config['current-context'], 'audit');
  });

  it('refuses plain http beyond loopback and what is not a URL', () => {
    assert.doesNotThrow(() => auditWebhookKubeconfig({ url: 'http://127.0.0.1:9/x' }));
    assert.throws(() => auditWebhookKubeconfig({ url: 'http://audit.example.com/x' }), code('E_USAGE', /only accepted on loopback/));
    assert.throws(() => auditWebhookKubeconfig({ url: 'file:///etc/passwd' }), code('E_USAGE', /must be http\(s\)/));
    assert.throws(() => auditWebhookKubeconfig({ url: 'not a url' }), code('E_USAGE', /not a URL/));
  });
});

describe('tokenFile', () => {
  it('writes the CSV the API server reads, groups quoted', () => {
    assert.equal(
      tokenFile([
        { token: 't1', user: 'admin', uid: 'u1', groups: ['system:masters', 'g2'] },
        { token: 't2', user: 'nobody', uid: 'u2', groups: [] },
      ]),
      't1,admin,u1,"system:masters,g2"\nt2,nobody,u2\n',
    );
  });

  it('refuses fields the format cannot carry', () => {
    for (const bad of ['a,b', 'a"b', 'a\nb', '']) {
      assert.throws(() => tokenFile([{ token: 't', user: bad, uid: 'u', groups: [] }]), code('E_USAGE'));
      assert.throws(() => tokenFile([{ token: 't', user: 'u', uid: 'u', groups: [bad] }]), code('E_USAGE'));
    }
  });
});

describe('METADATA_AUDIT_POLICY', () => {
  it('is a valid audit policy document', () => {
    assert.doesNotThrow(() => configDocument(METADATA_AUDIT_POLICY, 'audit.policy', 'Policy', ['audit.k8s.io/v1']));
  });
});
