// The HTTPS server the in-cluster components share: route modules (admission, the audit receiver, …)
// composed on one Hono app with /healthz, /readyz and /metrics. TLS only; the certificate and key
// are re-read while running and swapped in without dropping established connections.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createSecureContext } from 'node:tls';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { Hono, type MiddlewareHandler } from 'hono';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { BulwarkError } from '../core/index.ts';

export interface RouteContext {
  /** Refuses a request whose TLS client certificate did not verify; a no-op without a client CA. */
  requireClientCertificate: MiddlewareHandler<{ Bindings: HttpBindings }>;
  registry: Registry;
}

/** One component's endpoints. `ready` feeds /readyz; `close` runs when the server stops. */
export interface RouteModule {
  name: string;
  register(app: Hono<{ Bindings: HttpBindings }>, context: RouteContext): void;
  ready?: (() => boolean) | undefined;
  close?: (() => Promise<void>) | undefined;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** CA bundle that client certificates must chain to (the API server's client identity). */
  clientCaFile?: string;
}

export interface ServerOptions {
  /** Default 0.0.0.0: the API server reaches the webhook through a Service. */
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  tls: TlsFiles;
  modules: readonly RouteModule[];
  registry?: Registry;
  /** How often the certificate files are re-read (default 10 s; a mounted Secret changes within a minute). */
  reloadIntervalMs?: number;
  /** Whole-request bound, against slow clients (default 10 s). */
  requestTimeoutMs?: number;
  headersTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface RunningServer {
  port: number;
  url: string;
  registry: Registry;
  /** Re-reads the certificate files now; resolves to whether they changed and were applied. */
  reloadTls(): Promise<boolean>;
  close(): Promise<void>;
}

// TLS 1.2 only with forward-secret AEAD suites; TLS 1.3 suites are all modern and stay the default.
const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | undefined;
  fingerprint: string;
}

async function readTls(files: TlsFiles): Promise<TlsMaterial> {
  const read = (file: string, what: string): Promise<Buffer> =>
    readFile(file).catch((error: unknown) => {
      throw new BulwarkError('E_IO', `cannot read the TLS ${what} ${file}: ${(error as Error).message}`);
    });
  const [cert, key, ca] = await Promise.all([
    read(files.certFile, 'certificate'),
    read(files.keyFile, 'private key'),
    files.clientCaFile === undefined ? Promise.resolve(undefined) : read(files.clientCaFile, 'client CA'),
  ]);
  const hash = createHash('sha256').update(cert).update(key);
  if (ca !== undefined) hash.update(ca);
  return { cert, key, ca, fingerprint: hash.digest('hex') };
}

function secureOptions(material: TlsMaterial) {
  return {
    cert: material.cert,
    key: material.key,
    minVersion: 'TLSv1.2' as const,
    ciphers: TLS12_CIPHERS,
    honorCipherOrder: true,
    ...(material.ca === undefined ? {} : { ca: material.ca }),
  };
}

/** Checks that a key matches its certificate before it replaces a working pair. */
function validateMaterial(material: TlsMaterial): void {
  try {
    createSecureContext(secureOptions(material));
  } catch (error) {
    throw new BulwarkError('E_INPUT', `the TLS certificate and key do not form a usable pair: ${(error as Error).message}`);
  }
}

export function buildApp(modules: readonly RouteModule[], registry: Registry, requireClientCertificate: RouteContext['requireClientCertificate']): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.get('/healthz', (c) => c.text('ok'));
  app.get('/readyz', (c) => {
    const waiting = modules.filter((module) => module.ready !== undefined && !module.ready()).map((module) => module.name);
    return waiting.length === 0 ? c.text('ok') : c.text(`not ready: ${waiting.join(', ')}`, 503);
  });
  app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  for (const module of modules) module.register(app, { requireClientCertificate, registry });
  app.notFound((c) => c.json({ error: { code: 'E_NOT_FOUND', message: `no endpoint ${c.req.method} ${c.req.path}` } }, 404));
  app.onError((error, c) => c.json({ error: { code: 'E_INTERNAL', message: error.message } }, 500));
  return app;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const registry = options.registry ?? new Registry();
  if (options.registry === undefined) collectDefaultMetrics({ register: registry });
  const reloads = new Counter({
    name: 'bulwark_tls_reloads_total',
    help: 'Certificate reloads by result (applied, failed).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const log = options.log ?? (() => {});
  let material = await readTls(options.tls);
  validateMaterial(material);
  const clientAuth = material.ca !== undefined;
  const requireClientCertificate: RouteContext['requireClientCertificate'] = async (c, next) => {
    if (!clientAuth) return next();
    const socket = c.env.incoming.socket as TLSSocket;
    if (socket.authorized !== true) {
      return c.json({ error: { code: 'E_UNAUTHORIZED', message: 'a client certificate signed by the configured client CA is required' } }, 401);
    }
    return next();
  };
  const app = buildApp(options.modules, registry, requireClientCertificate);
  const server: Server = createServer({
    ...secureOptions(material),
    // Verified per route: probes from the kubelet carry no client certificate.
    requestCert: clientAuth,
    rejectUnauthorized: false,
    // How often request and header timeouts are enforced (Node's default, 30 s, outlives them).
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor((options.requestTimeoutMs ?? 10_000) / 2))),
  });
  server.requestTimeout = options.requestTimeoutMs ?? 10_000;
  server.headersTimeout = Math.min(options.headersTimeoutMs ?? 5_000, server.requestTimeout);
  server.keepAliveTimeout = 30_000;
  server.on('request', getRequestListener(app.fetch));
  server.on('tlsClientError', () => {
    // Scanners and clients with old TLS end here; the handshake failure is the answer.
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let reloading: Promise<boolean> | null = null;
  const reloadTls = (): Promise<boolean> => {
    reloading ??= (async () => {
      try {
        const next = await readTls(options.tls);
        if (next.fingerprint === material.fingerprint) return false;
        validateMaterial(next);
        // Only new handshakes see the new context; established connections keep theirs.
        server.setSecureContext(secureOptions(next));
        material = next;
        reloads.inc({ result: 'applied' });
        log('TLS certificate reloaded');
        return true;
      } catch (error) {
        reloads.inc({ result: 'failed' });
        log(`TLS reload failed, keeping the current certificate: ${(error as Error).message}`);
        return false;
      } finally {
        reloading = null;
      }
    })();
    return reloading;
  };
  const timer = setInterval(() => void reloadTls(), options.reloadIntervalMs ?? 10_000);
  timer.unref();

  return {
    port,
    url: `https://${options.host === undefined || options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`,
    registry,
    reloadTls,
    async close() {
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        // In-flight requests finish; connections still open after the grace period are cut.
        const force = setTimeout(() => server.closeAllConnections(), 2_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      for (const module of options.modules) await module.close?.();
    },
  };
}
