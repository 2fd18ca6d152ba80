// The registry client against a hostile or unusual server on 127.0.0.1: what a well-behaved registry
// (the integration tests use a real one) never sends — wrong digests, oversized bodies, downgrading
// redirects, plain-HTTP token realms, paginated tags, no referrers API.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { RegistryClient, nextPage } from './client.ts';
import { MEDIA, parseDescriptor, parseIndex, referrersTag } from './referrers.ts';

type Handler = (request: IncomingMessage, response: ServerResponse, body: Buffer) => void;

const digest = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('RegistryClient', () => {
  let server: Server;
  let host: string;
  let handler: Handler = (_request, response) => response.writeHead(404).end();
  before(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => handler(request, response, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = (extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}): RegistryClient =>
    new RegistryClient({ host, plainHttpLoopback: true, credentials: async () => ({ kind: 'basic', username: 'u', password: 'p' }), timeoutMs: 2000, ...extra });

  const isError = (code: string, pattern: RegExp) => (error: unknown) => error instanceof BulwarkError && error.code === code && pattern.test(error.message);

  it('speaks HTTPS to a loopback host unless allowed plain HTTP', async () => {
    const strict = new RegistryClient({ host, timeoutMs: 2000 });
    await assert.rejects(strict.findManifest('a', 'v1'), isError('E_IO', /127\.0\.0\.1/));
    strict.close();
  });

  it('answers a bearer challenge at a loopback realm, caches the token, and checks digests', async () => {
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, layers: [] }));
    let tokens = 0;
    handler = (request, response) => {
      if (request.url?.startsWith('/token')) {
        tokens++;
        assert.equal(request.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
        assert.match(request.url, /scope=repository%3Ateam%2Fapp%3Apull/);
        return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'T' }));
      }
      if (request.headers.authorization !== 'Bearer T') {
        return response.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="test"` }).end();
      }
      if (request.url === '/v2/team/app/manifests/v1') return response.writeHead(200, { 'content-type': MEDIA.ociManifest, 'docker-content-digest': digest(manifest) }).end(manifest);
      if (request.url === '/v2/team/app/manifests/lying') return response.writeHead(200, { 'content-type': MEDIA.ociManifest, 'docker-content-digest': digest('other') }).end(manifest);
      response.writeHead(404).end();
    };
    const registry = client();
    const found = await registry.getManifest('team/app', 'v1');
    assert.equal(found.digest, digest(manifest));
    assert.equal(found.mediaType, MEDIA.ociManifest);
    assert.equal(await registry.findManifest('team/app', 'missing'), undefined);
    await assert.rejects(registry.getManifest('team/app', 'missing'), isError('E_INPUT', /manifest not found/));
    await assert.rejects(registry.getManifest('team/app', 'lying'), isError('E_INPUT', /the registry says/));
    await assert.rejects(registry.getManifest('team/app', digest('something else')), isError('E_INPUT', /digest mismatch|not found/));
    assert.equal(tokens, 1, 'the token is reused for the same scope');
    registry.close();
  });

  it('refuses to send credentials to a plain-HTTP realm on another host, and redirects to plain HTTP', async () => {
    handler = (request, response) => {
      if (request.url?.includes('/manifests/')) return response.writeHead(401, { 'www-authenticate': 'Bearer realm="http://auth.example.com/token"' }).end();
      if (request.url?.includes('/blobs/')) return response.writeHead(307, { location: 'http://storage.example.com/blob' }).end();
      response.writeHead(404).end();
    };
    const registry = client();
    await assert.rejects(registry.getManifest('a', 'v1'), isError('E_INPUT', /not HTTPS; refusing to send credentials/));
    await assert.rejects(registry.readBlob('a', { digest: digest('x'), size: 1 }, 10), isError('E_INPUT', /redirected to plain HTTP/));
    registry.close();
  });

  it('bounds bodies: oversized blobs and error pages are refused, blobs are checked against their digest', async () => {
    const blob = Buffer.from('blob content');
    handler = (request, response) => {
      if (request.url === `/v2/a/blobs/${digest(blob)}`) return response.writeHead(200).end(blob);
      if (request.url?.startsWith('/v2/a/blobs/')) return response.writeHead(200).end(Buffer.alloc(4096));
      response.writeHead(404).end();
    };
    const registry = client();
    assert.deepEqual(await registry.readBlob('a', { digest: digest(blob), size: blob.length }, 100), blob);
    await assert.rejects(registry.readBlob('a', { digest: digest('y'), size: 10 }, 100), isError('E_TOO_LARGE', /more than 100 bytes|exceed/));
    await assert.rejects(registry.readBlob('a', { digest: digest('y'), size: 1000 }, 100), isError('E_TOO_LARGE', /exceed the 100-byte limit/));
    await assert.rejects(registry.readBlob('a', { digest: digest('z'), size: 4096 }, 8192), isError('E_INPUT', /digest mismatch/));
    registry.close();
  });

  it('bounds the time of a request that never completes', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': MEDIA.ociManifest });
      response.write('{');
      // …and never more.
    };
    const registry = client({ timeoutMs: 300 });
    const started = Date.now();
    await assert.rejects(registry.getManifest('a', 'v1'), (error: unknown) => error instanceof BulwarkError && error.code === 'E_IO');
    assert.ok(Date.now() - started < 3000);
    registry.close();
  });

  it('lists tags across pages, and falls back to the referrers tag without the referrers API', async () => {
    const subject = digest('image');
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [{ mediaType: MEDIA.ociManifest, digest: digest('ref'), size: 3, artifactType: 'application/x' }] }));
    let referrerCalls = 0;
    handler = (request, response) => {
      if (request.url === '/v2/a/tags/list') return response.writeHead(200, { link: '</v2/a/tags/list?last=b&n=2>; rel="next"' }).end(JSON.stringify({ name: 'a', tags: ['a', 'b'] }));
      if (request.url === '/v2/a/tags/list?last=b&n=2') return response.writeHead(200).end(JSON.stringify({ name: 'a', tags: ['c'] }));
      if (request.url?.startsWith('/v2/a/referrers/')) {
        referrerCalls++;
        return response.writeHead(404).end();
      }
      if (request.url === `/v2/a/manifests/${referrersTag(subject)}`) return response.writeHead(200, { 'content-type': MEDIA.ociIndex }).end(index);
      response.writeHead(404).end();
    };
    const registry = client();
    assert.deepEqual(await registry.listTags('a'), ['a', 'b', 'c']);
    assert.deepEqual(await registry.listTags('a', 2), ['a', 'b']);
    const first = await registry.referrers('a', subject);
    assert.equal(first.api, false);
    assert.equal(first.descriptors[0]?.artifactType, 'application/x');
    assert.deepEqual((await registry.referrers('a', subject, 'application/y')).descriptors, []);
    assert.equal(referrerCalls, 1, 'a registry without the API is not asked again at once');
    registry.close();
  });

  it('reads pagination links only to the same origin', () => {
    assert.equal(nextPage('</v2/a/tags/list?last=x>; rel="next"', 'http://h:1'), '/v2/a/tags/list?last=x');
    assert.equal(nextPage('<https://evil.example.com/v2/a/tags/list>; rel="next"', 'http://h:1'), undefined);
    assert.equal(nextPage(undefined, 'http://h:1'), undefined);
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (link) => {
      const next = nextPage(link, 'http://h:1');
      assert.ok(next === undefined || next.startsWith('/'));
    }), { numRuns: 1000 });
  });

  it('parses indexes and descriptors with typed errors (fuzz)', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.record({ manifests: fc.array(fc.jsonValue(), { maxLength: 5 }) })), (value) => {
      try {
        parseIndex(Buffer.from(JSON.stringify(value) ?? 'null'), 'fuzz');
        parseDescriptor(value, 'fuzz');
      } catch (error) {
        assert.ok(error instanceof BulwarkError && error.code === 'E_PARSE', String(error));
      }
    }), { numRuns: 1000 });
  });
});
