// `db update` against a real HTTP server on loopback serving an osv.dev-style export.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BulwarkError } from '../../core/index.ts';
import { writeZip } from '../../image/archive/zip-writer.ts';
import { TEST_RECORDS } from '../testing/records.ts';
import { VulnDb } from './store.ts';
import { displayUrl, mirrorUrl, updateFromUrl, type UpdateOptions } from './update.ts';

const root = mkdtempSync(join(tmpdir(), 'bulwark-update-'));
const zip = writeZip(TEST_RECORDS.map((r) => ({ name: `${(r as { id: string }).id}.json`, data: JSON.stringify(r) })));
const etag = `"${createHash('sha256').update(zip).digest('hex').slice(0, 16)}"`;
const requests: { url: string; headers: Record<string, string | string[] | undefined> }[] = [];
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    const path = (req.url ?? '').split('?')[0];
    if (path === '/npm/all.zip' || path === '/feed') {
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length, etag }).end(zip);
    } else if (path === '/redirect') {
      res.writeHead(302, { location: '/npm/all.zip' }).end();
    } else if (path === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(3 * 1024 * 1024));
    } else if (path === '/slow') {
      res.writeHead(200);
      res.write('x');
      // Never ends: the client's timeout must fire.
    } else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
const open = (): VulnDb => VulnDb.open(join(root, `u${n++}`, 'vuln.db'), { create: true });
const options = (extra: Partial<UpdateOptions> = {}): UpdateOptions => ({ now: new Date('2024-06-01T00:00:00Z'), timeoutMs: 5000, maxBytes: 1024 * 1024, ...extra });

describe('db update from a mirror', () => {
  it('downloads an ecosystem export with osv.dev\'s layout and loads it', async () => {
    const db = open();
    const result = await updateFromUrl(db, mirrorUrl(base, 'npm'), options());
    assert.equal(result.notModified, false);
    assert.equal((result as { records: number }).records, TEST_RECORDS.length);
    const source = db.db.prepare('SELECT location, origin, etag, sha256 FROM sources').get() as Record<string, string>;
    assert.equal(source.location, `${base}/npm/all.zip`);
    assert.equal(source.origin, 'update');
    assert.equal(source.etag, etag);
    assert.equal(source.sha256, createHash('sha256').update(zip).digest('hex'));

    // The second time the server answers "not modified" and nothing is downloaded again.
    const again = await updateFromUrl(db, mirrorUrl(base, 'npm'), options({ now: new Date('2024-06-02T00:00:00Z') }));
    assert.equal(again.notModified, true);
    assert.equal(requests.at(-1)!.headers['if-none-match'], etag);
    assert.equal((db.db.prepare('SELECT refreshed_at FROM sources').get() as { refreshed_at: string }).refreshed_at, '2024-06-02T00:00:00.000Z');
    db.close();
  });

  it('sniffs the format when the URL has no extension, follows redirects and checks the SHA-256', async () => {
    const db = open();
    const sha256 = createHash('sha256').update(zip).digest('hex');
    const result = await updateFromUrl(db, `${base}/redirect`, options({ sha256 }));
    assert.equal((result as { kind: string }).kind, 'zip');
    await assert.rejects(updateFromUrl(db, `${base}/feed`, options({ sha256: '00'.repeat(32) })), /SHA-256 is [0-9a-f]{64}, expected 0{64}/);
    db.close();
  });

  it('bounds size and time, and reports HTTP errors', async () => {
    const db = open();
    await assert.rejects(updateFromUrl(db, `${base}/big`, options()), (e: unknown) => e instanceof BulwarkError && e.code === 'E_TOO_LARGE');
    await assert.rejects(updateFromUrl(db, `${base}/slow`, options({ timeoutMs: 300 })), /within 0 s|not complete|no answer/);
    await assert.rejects(updateFromUrl(db, `${base}/missing`, options()), /HTTP 404/);
    assert.equal((db.db.prepare('SELECT COUNT(*) AS n FROM sources').get() as { n: number }).n, 0);
    db.close();
  });

  it('refuses plain http beyond loopback and keeps credentials out of what it records', async () => {
    const db = open();
    await assert.rejects(updateFromUrl(db, 'http://mirror.example.com/npm/all.zip', options()), /only https:\/\//);
    await assert.rejects(updateFromUrl(db, 'ftp://mirror.example.com/x.zip', options()), /only https:\/\//);
    await assert.rejects(updateFromUrl(db, 'not a url', options()), /not a URL/);
    const withCredentials = new URL(`${base}/npm/all.zip?token=secret`);
    withCredentials.username = 'ci';
    withCredentials.password = 'hunter2';
    await updateFromUrl(db, withCredentials.href, options());
    assert.equal(requests.at(-1)!.headers.authorization, `Basic ${Buffer.from('ci:hunter2').toString('base64')}`);
    const { location } = db.db.prepare('SELECT location FROM sources').get() as { location: string };
    assert.equal(location, `${base}/npm/all.zip`);
    assert.equal(displayUrl(withCredentials), `${base}/npm/all.zip`);
    db.close();
  });
});
