// The webhook endpoint over real HTTPS: an EventList is recorded before the 200; resent batches
// are recognised; bodies that are not event lists, too large, of the wrong type or without the
// bearer token are refused with the status the API server expects; a ledger that cannot record
// answers 503 so the batch is retried.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCertificateAuthority, issueCertificate } from '../../testenv/certificates.ts';
import type { Ledger } from '../ledger/index.ts';
import { fileLedgers } from '../ledger/testing.ts';
import { startServer, type RunningServer } from '../server/index.ts';
import { createDetector } from './detector.ts';
import { AuditIngestor } from './ingest.ts';
import { auditReceiver } from './receiver.ts';
import { rawAuditEvent } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-audit-receiver-test-'));
const factory = fileLedgers();
let server: RunningServer;
let ledger: Ledger;
let ca: string;

function post(path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method: 'POST', ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const list = (items: unknown[]): string => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });

before(async () => {
  const authority = await createCertificateAuthority('audit-test-ca');
  const pair = await issueCertificate(authority, { commonName: 'audit-receiver', hosts: ['127.0.0.1', 'localhost'], usages: ['server'] });
  ca = authority.cert;
  writeFileSync(join(dir, 'tls.crt'), pair.cert);
  writeFileSync(join(dir, 'tls.key'), pair.key);
  const { open } = await factory.create({ checkpointEveryMs: 0 });
  ledger = await open();
  const ingestor = new AuditIngestor({ detector: createDetector(), ledger });
  server = await startServer({ port: 0, host: '127.0.0.1', tls: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') }, modules: [auditReceiver({ ingestor, token: 'sekret', maxBodyBytes: 64 * 1024 })] });
});

after(async () => {
  await server.close();
  await ledger.close().catch(() => undefined);
  await factory.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const auth = { 'content-type': 'application/json', authorization: 'Bearer sekret' };

describe('audit webhook receiver', () => {
  it('records a batch before answering, recognises a resent one, reports malformed items', async () => {
    const items = [rawAuditEvent({ user: 'mallory', verb: 'get' }), rawAuditEvent({ user: 'minikube-user', verb: 'get' }), { kind: 'Event', auditID: 7 }];
    const first = await post('/audit', list(items), auth);
    assert.equal(first.status, 200);
    assert.deepEqual([first.body.received, first.body.recorded, first.body.duplicates, first.body.alerts], [2, 2, 0, 1]);
    assert.match(String((first.body.malformed as string[])[0]), /items\[2\]: auditID must be a string/);
    assert.equal((await ledger.head()).size, 3, 'two events and one alert, durable when answered');
    const resent = await post('/audit', list(items), auth);
    assert.deepEqual([resent.status, resent.body.duplicates, resent.body.recorded], [200, 2, 0]);
    assert.equal((await ledger.head()).size, 3);
    const metrics = await server.registry.metrics();
    assert.match(metrics, /bulwark_audit_events_total\{result="duplicate"\} 2/);
  });

  it('refuses what is not a batch of audit events', async () => {
    assert.equal((await post('/audit', list([]), { 'content-type': 'application/json' })).status, 401);
    assert.equal((await post('/audit', list([]), { ...auth, authorization: 'Bearer wrong!' })).status, 401);
    assert.equal((await post('/audit', list([]), { ...auth, 'content-type': 'text/plain' })).status, 415);
    assert.equal((await post('/audit', '{"kind":"EventList"', auth)).status, 400);
    const notList = await post('/audit', JSON.stringify(rawAuditEvent()), auth);
    assert.deepEqual([notList.status, (notList.body.error as { code: string }).code], [400, 'E_INPUT']);
    assert.equal((await post('/audit', list([rawAuditEvent({ requestObject: { data: 'x'.repeat(70 * 1024) } })]), auth)).status, 413);
    assert.equal((await post('/audit', list([]), auth)).status, 200);
  });

  it('answers 503 when the ledger cannot record, so the API server resends', async () => {
    await ledger.close();
    const response = await post('/audit', list([rawAuditEvent({ user: 'carol' })]), auth);
    assert.equal(response.status, 503);
    assert.match(String((response.body.error as { message: string }).message), /events not recorded/);
  });
});
