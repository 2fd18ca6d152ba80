import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../core/index.ts';
import { createObjectSet } from '../engine/object-set.ts';
import { runSetChecks } from '../engine/run.ts';
import { parsePssVersion } from '../pss/version.ts';
import { toKubeObject } from './collect.ts';
import { classifyValue, encryptionCheck, parseKey, parseRange } from './encryption.ts';

describe('classifyValue', () => {
  it('reads provider and key from the envelope, and tells plaintext formats apart', () => {
    assert.deepEqual(classifyValue(Buffer.from('k8s:enc:aescbc:v1:key1:\u0001\u0002')), { state: 'encrypted', provider: 'aescbc', keyName: 'key1' });
    assert.deepEqual(classifyValue(Buffer.from('k8s:enc:kms:v2:vault:\u0001')), { state: 'encrypted', provider: 'kmsv2', keyName: 'vault' });
    assert.deepEqual(classifyValue(Buffer.from('k8s\u0000\n\u0002v1')), { state: 'plaintext', format: 'protobuf' });
    assert.deepEqual(classifyValue(Buffer.from('{"kind":"Secret"}')), { state: 'plaintext', format: 'json' });
    assert.deepEqual(classifyValue(Buffer.alloc(0)), { state: 'plaintext', format: 'unknown' });
  });

  it('never throws on any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => ['encrypted', 'plaintext'].includes(classifyValue(Buffer.from(bytes)).state)));
  });
});

describe('parseKey and parseRange', () => {
  it('splits namespaced and cluster-scoped keys', () => {
    assert.deepEqual(parseKey('/registry/secrets/shop/db', '/registry', 'secrets'), { namespace: 'shop', name: 'db' });
    assert.deepEqual(parseKey('/registry/foos/x', '/registry', 'foos'), { namespace: null, name: 'x' });
  });

  it('fails with E_PARSE, never anything else, on any JSON answer', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (answer) => {
        try {
          parseRange(answer);
        } catch (error) {
          assert.ok(error instanceof BulwarkError && error.code === 'E_PARSE');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('encryptionCheck', () => {
  const settings = { pss: { level: 'restricted' as const, version: parsePssVersion('latest') } };
  const secret = (name: string) => toKubeObject({ metadata: { name, namespace: 'shop' } }, 'v1', 'Secret', 'cluster://t')!;

  it('reports plaintext Secrets, as written before encryption when others are encrypted', () => {
    const check = encryptionCheck({
      objects: [
        { resource: 'secrets', namespace: 'shop', name: 'old', stored: { state: 'plaintext', format: 'protobuf' } },
        { resource: 'secrets', namespace: 'shop', name: 'new', stored: { state: 'encrypted', provider: 'aescbc', keyName: 'key1' } },
      ],
      summary: { secrets: { encrypted: { 'aescbc:key1': 1 }, plaintext: 1 } },
    });
    const findings = runSetChecks(createObjectSet([secret('old'), secret('new')]), [check], { settings }).findings;
    assert.deepEqual(findings.map((f) => f.object.name), ['old']);
    assert.match(findings[0]!.message, /written before encryption was enabled/);
  });

  it('says no Secret is encrypted when none is', () => {
    const check = encryptionCheck({
      objects: [{ resource: 'secrets', namespace: 'shop', name: 'old', stored: { state: 'plaintext', format: 'protobuf' } }],
      summary: { secrets: { encrypted: {}, plaintext: 1 } },
    });
    const findings = runSetChecks(createObjectSet([secret('old')]), [check], { settings }).findings;
    assert.match(findings[0]!.message, /no secrets are encrypted at rest/);
  });
});
