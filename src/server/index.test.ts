import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import v8 from 'node:v8';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import { Registry } from 'prom-client';
import { parseConfig } from '../admission/config.ts';
import { AdmissionController } from '../admission/controller.ts';
import { webhookCertificates, type WebhookCertificates } from '../admission/certificates.ts';
import { admissionMetrics } from '../admission/metrics.ts';
import { StaticNamespaces } from '../admission/namespaces.ts';
import { admissionRoutes } from '../admission/routes.ts';
import { pod, privilegedContainer, review } from '../admission/testing/reviews.ts';
import { createCertificateAuthority, issueCertificate } from '../../testenv/certificates.ts';
import { startServer, type RunningServer } from './index.ts';

interface Reply {
  status: number;
  body: string;
  fingerprint: string;
}

function call(server: RunningServer, ca: string, path: string, options: { method?: string; body?: string | Buffer; type?: string; agent?: Agent; cert?: { cert: string; key: string } } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        ca,
        headers: options.body === undefined ? {} : { 'content-type': options.type ?? 'application/json' },
        ...(options.agent === undefined ? { agent: false } : { agent: options.agent }),
        ...(options.cert === undefined ? {} : { cert: options.cert.cert, key: options.cert.key }),
      },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), fingerprint }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('startServer with the admission routes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-server-'));
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  let pki: WebhookCertificates;
  let server: RunningServer;
  const registry = new Registry();

  before(async () => {
    pki = await webhookCertificates(['127.0.0.1', 'localhost']);
    writeFileSync(certFile, pki.cert);
    writeFileSync(keyFile, pki.key);
    const metrics = admissionMetrics(registry);
    const controller = new AdmissionController({ config: parseConfig({}), namespaces: new StaticNamespaces(), observe: metrics.decision });
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      tls: { certFile, keyFile },
      modules: [admissionRoutes({ controller, metrics, maxBodyBytes: 64 * 1024 })],
      registry,
      requestTimeoutMs: 1_000,
      headersTimeoutMs: 500,
      reloadIntervalMs: 60_000,
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers health, readiness and 404', async () => {
    assert.deepEqual(await call(server, pki.caCert, '/healthz').then((reply) => [reply.status, reply.body]), [200, 'ok']);
    assert.equal((await call(server, pki.caCert, '/readyz')).status, 200);
    const missing = await call(server, pki.caCert, '/nope');
    assert.equal(missing.status, 404);
    assert.match(missing.body, /E_NOT_FOUND/);
  });

  it('validates an AdmissionReview and echoes the uid', async () => {
    const reply = await call(server, pki.caCert, '/validate', { body: JSON.stringify(review(pod('web', [privilegedContainer()]), { uid: 'abc-123' })) });
    assert.equal(reply.status, 200);
    const document = JSON.parse(reply.body);
    assert.equal(document.apiVersion, 'admission.k8s.io/v1');
    assert.equal(document.kind, 'AdmissionReview');
    assert.equal(document.response.uid, 'abc-123');
    assert.equal(document.response.allowed, false);
    assert.equal(document.response.status.code, 403);
    assert.match(document.response.status.message, /privileged/);
  });

  it('leaves nothing of a review behind on a kept-alive connection (no fetch Request per body)', async () => {
    // Reading bodies through the web Request left an AbortSignal, a listener and a WeakRef per
    // review alive past the response, which promoted them and set the tail latency (body.ts).
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const body = JSON.stringify(review(pod('web', [privilegedContainer()]), { uid: 'kept' }));
    try {
      for (let round = 0; round < 10; round++) await Promise.all(Array.from({ length: 20 }, () => call(server, pki.caCert, '/validate', { body, agent })));
      const signals = v8.queryObjects(AbortSignal, { format: 'count' }) as number;
      assert.ok(signals < 20, `${signals} AbortSignals alive after 200 reviews`);
    } finally {
      agent.destroy();
    }
  });

  it('answers bad input with a clear 4xx', async () => {
    const malformed = await call(server, pki.caCert, '/validate', { body: '{"kind":' });
    assert.equal(malformed.status, 400);
    assert.match(malformed.body, /E_PARSE.*not valid JSON/);
    const wrongVersion = await call(server, pki.caCert, '/validate', { body: JSON.stringify({ ...review(null), apiVersion: 'admission.k8s.io/v1beta1' }) });
    assert.equal(wrongVersion.status, 400);
    assert.match(wrongVersion.body, /apiVersion/);
    assert.equal((await call(server, pki.caCert, '/validate', { body: 'x', type: 'text/plain' })).status, 415);
    const big = await call(server, pki.caCert, '/validate', { body: Buffer.alloc(128 * 1024, 0x20) });
    assert.equal(big.status, 413);
    assert.match(big.body, /larger than 65536 bytes/);
  });

  it('closes slow clients after the request timeout', async () => {
    const socket = connect({ host: '127.0.0.1', port: server.port, ca: pki.caCert, servername: 'localhost' });
    await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
    socket.write('POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    const started = Date.now();
    const response = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
    });
    assert.ok(Date.now() - started < 5_000);
    assert.match(response, /^HTTP\/1\.1 408/);
  });

  it('refuses TLS 1.1', async () => {
    await assert.rejects(
      new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: server.port, ca: pki.caCert, servername: 'localhost', maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
        socket.once('secureConnect', () => resolve(socket.end()));
        socket.once('error', reject);
      }),
    );
  });

  it('reloads a changed certificate without dropping an open connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await call(server, pki.caCert, '/healthz', { agent });
    const next = await webhookCertificates(['127.0.0.1', 'localhost']);
    writeFileSync(certFile, next.cert);
    writeFileSync(keyFile, next.key);
    assert.equal(await server.reloadTls(), true);
    assert.equal(await server.reloadTls(), false, 'unchanged files are not reloaded again');
    // The kept-alive connection still talks to the old certificate…
    const same = await call(server, pki.caCert, '/healthz', { agent });
    assert.deepEqual([same.status, same.fingerprint], [200, first.fingerprint]);
    agent.destroy();
    // …new connections get the new one.
    const fresh = await call(server, next.caCert, '/healthz');
    assert.notEqual(fresh.fingerprint, first.fingerprint);
    // A key that does not match its certificate is refused; the working pair stays.
    writeFileSync(keyFile, pki.key);
    assert.equal(await server.reloadTls(), false);
    assert.equal((await call(server, next.caCert, '/healthz')).status, 200);
    const metrics = await registry.metrics();
    assert.match(metrics, /bulwark_tls_reloads_total\{result="applied"\} 1/);
    assert.match(metrics, /bulwark_tls_reloads_total\{result="failed"\} 1/);
    assert.match(metrics, /bulwark_admission_decisions_total\{rule="pod-security",outcome="deny"\}/);
    assert.match(metrics, /bulwark_admission_request_duration_seconds_bucket/);
  });
});

describe('startServer with a client CA', () => {
  it('requires a client certificate on the admission routes but not on probes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-server-'));
    const serving = await webhookCertificates(['127.0.0.1']);
    const clientCa = await createCertificateAuthority('apiserver-client-ca');
    const client = await issueCertificate(clientCa, { commonName: 'kube-apiserver', usages: ['client'] });
    writeFileSync(join(dir, 'tls.crt'), serving.cert);
    writeFileSync(join(dir, 'tls.key'), serving.key);
    writeFileSync(join(dir, 'client-ca.crt'), clientCa.cert);
    const controller = new AdmissionController({ config: parseConfig({}), namespaces: new StaticNamespaces() });
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      tls: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), clientCaFile: join(dir, 'client-ca.crt') },
      modules: [admissionRoutes({ controller, maxBodyBytes: 1 << 20 })],
    });
    try {
      const body = JSON.stringify(review(pod('web', [privilegedContainer()])));
      assert.equal((await call(server, serving.caCert, '/healthz')).status, 200);
      assert.equal((await call(server, serving.caCert, '/validate', { body })).status, 401);
      assert.equal((await call(server, serving.caCert, '/validate', { body, cert: client })).status, 200);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
