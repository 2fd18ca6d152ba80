import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../core/index.ts';
import { assertNeverCrashes } from './testing/fuzz.ts';
import { apiHost, formatImageReference, parseImageLocation, parseImageReference } from './reference.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('image references', () => {
  it('normalises Docker Hub names as docker pull does', () => {
    assert.deepEqual(parseImageReference('debian'), { domain: 'docker.io', path: 'library/debian', tag: 'latest' });
    assert.deepEqual(parseImageReference('debian:12'), { domain: 'docker.io', path: 'library/debian', tag: '12' });
    assert.deepEqual(parseImageReference('bitnami/redis:7.2'), { domain: 'docker.io', path: 'bitnami/redis', tag: '7.2' });
    assert.deepEqual(parseImageReference('index.docker.io/library/alpine'), { domain: 'docker.io', path: 'library/alpine', tag: 'latest' });
    assert.equal(apiHost(parseImageReference('alpine')), 'registry-1.docker.io');
  });

  it('keeps registries with ports, localhost and digests', () => {
    assert.deepEqual(parseImageReference(`127.0.0.1:5000/team/app:v1@${DIGEST}`), { domain: '127.0.0.1:5000', path: 'team/app', tag: 'v1', digest: DIGEST });
    assert.deepEqual(parseImageReference('localhost/app'), { domain: 'localhost', path: 'app', tag: 'latest' });
    assert.deepEqual(parseImageReference(`ghcr.io/org/app@${DIGEST}`), { domain: 'ghcr.io', path: 'org/app', digest: DIGEST });
    assert.equal(formatImageReference(parseImageReference(`ghcr.io/org/app:1@${DIGEST}`)), `ghcr.io/org/app:1@${DIGEST}`);
    assert.deepEqual(parseImageReference('[::1]:5000/app:1'), { domain: '[::1]:5000', path: 'app', tag: '1' });
  });

  it('rejects malformed references with a message naming the part', () => {
    for (const [text, part] of [
      ['Debian', 'lowercase'],
      ['app:-bad', 'tag'],
      [`app@sha256:${'a'.repeat(10)}`, 'digest'],
      ['app@md5:abc', 'md5'],
      ['', 'empty'],
      ['a/'.repeat(200) + 'b', 'longer'],
    ] as const) {
      assert.throws(() => parseImageReference(text), (error: unknown) => error instanceof BulwarkError && error.code === 'E_USAGE' && error.message.includes(part), text);
    }
  });

  it('reads transports: oci:, docker-archive:, dir:, docker://', () => {
    assert.deepEqual(parseImageLocation('oci:./build/layout:v2'), { kind: 'oci', path: './build/layout', tag: 'v2' });
    assert.deepEqual(parseImageLocation('oci:/x/y'), { kind: 'oci', path: '/x/y' });
    assert.deepEqual(parseImageLocation('docker-archive:app.tar'), { kind: 'docker-archive', path: 'app.tar' });
    assert.deepEqual(parseImageLocation('dir:/rootfs'), { kind: 'dir', path: '/rootfs' });
    assert.equal(parseImageLocation('docker://alpine:3').kind, 'registry');
    assert.throws(() => parseImageLocation('oci:'), BulwarkError);
  });

  it('never crashes on arbitrary input (fuzz)', () => {
    assertNeverCrashes(fc.oneof(fc.string({ maxLength: 300 }), fc.stringMatching(/^[a-z0-9.:/@_-]{0,80}$/)), (text) => {
      const parsed = parseImageReference(text);
      // What parses formats back to something that parses to the same value.
      assert.deepEqual(parseImageReference(formatImageReference(parsed)), parsed);
    }, 1000);
    assertNeverCrashes(fc.string({ maxLength: 200 }), parseImageLocation, 500);
  });
});
