// Alert delivery: JSON lines on a stream; a webhook gets {"alerts":[…]} batches, retries a failing
// receiver and gives up counting what it could not deliver; plain http only to loopback.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { AuditError } from './errors.ts';
import type { Alert } from './detector.ts';
import { StreamSink, WebhookSink } from './sinks.ts';

const alert: Alert = { rule: 'secret-read', title: 't', falco: 'K8s Secret Get Successfully', priority: 'ERROR', auditID: 'a1', stage: 'ResponseComplete', time: Date.UTC(2026, 0, 2), user: 'alice', message: 'm', tags: [] };

describe('alert sinks', () => {
  it('writes one JSON line per alert', () => {
    const stream = new PassThrough();
    new StreamSink(stream).emit([alert, { ...alert, auditID: 'a2' }]);
    const lines = String(stream.read()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines[0], { rule: 'secret-read', falco: 'K8s Secret Get Successfully', priority: 'ERROR', auditID: 'a1', stage: 'ResponseComplete', time: '2026-01-02T00:00:00.000Z', user: 'alice', message: 'm' });
    assert.equal(lines[1]!.auditID, 'a2');
  });

  it('posts batches to a webhook, retrying failures, and counts what it gave up on', async () => {
    const received: unknown[] = [];
    let failuresLeft = 1;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (failuresLeft-- > 0) {
          res.writeHead(500).end();
          return;
        }
        received.push(JSON.parse(Buffer.concat(chunks).toString()));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
    const sink = new WebhookSink({ url, token: 't', retries: 3 });
    sink.emit([alert]);
    await sink.flush();
    assert.deepEqual([sink.delivered, sink.failed], [1, 0]);
    assert.equal((received[0] as { alerts: { auditID: string }[] }).alerts[0]!.auditID, 'a1');
    await new Promise<void>((r) => server.close(() => r()));
    const unreachable = new WebhookSink({ url, retries: 1 });
    unreachable.emit([alert, alert]);
    await unreachable.close();
    assert.deepEqual([unreachable.delivered, unreachable.failed], [0, 2]);
  });

  it('refuses plain http beyond loopback and URLs that are not', () => {
    assert.throws(() => new WebhookSink({ url: 'http://alerts.example.com/x' }), (e: unknown) => e instanceof AuditError && /must be https/.test(e.message));
    assert.throws(() => new WebhookSink({ url: 'not a url' }), (e: unknown) => e instanceof AuditError && e.reason === 'usage');
  });
});
