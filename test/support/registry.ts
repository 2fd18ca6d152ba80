// A real OCI registry for integration tests: Debian's `docker-registry` (Distribution 2.8), installed
// by scripts/setup-image-tools.sh, started per test on 127.0.0.1 with a free port and temporary
// storage, and always torn down.
//
// API (kept small and stable; other tests build on it):
//
//   registryMissing(): false | string
//     false when the registry (and htpasswd, for auth) can be started, else the skip message.
//
//   startRegistry(options?: { auth?: 'none' | 'basic' | 'token'; tls?: boolean }): Promise<TestRegistry>
//     auth 'none'  (default) anonymous pull and push
//          'basic' htpasswd (bcrypt) users; the client answers `WWW-Authenticate: Basic`
//          'token' the registry answers `WWW-Authenticate: Bearer realm=…,service=…,scope=…`; the realm
//                  is a token server in this process that checks the same username and password
//                  (HTTP basic) and issues ES256 JWTs the registry verifies through their x5c chain
//     tls   serve HTTPS with a certificate for 127.0.0.1 signed by a throwaway CA (caPem / caFile)
//
//   TestRegistry {
//     host: '127.0.0.1:PORT'                  what an image reference starts with
//     url: 'http://127.0.0.1:PORT'            or https:// with tls
//     username, password                      '' for auth 'none'
//     caPem?, caFile?                         with tls: the CA that signed the serving certificate
//     tokenUrl?                               with auth 'token': the realm
//     logPath                                 the registry's log (removed by stop())
//     stop(): Promise<void>                   idempotent; also runs at process exit
//   }
import { spawnSync } from 'node:child_process';
import { randomBytes, createSign, timingSafeEqual, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '../../testenv/certificates.ts';
import { startProcess, type ManagedProcess } from '../../testenv/processes.ts';

export type RegistryAuth = 'none' | 'basic' | 'token';

export interface RegistryOptions {
  auth?: RegistryAuth;
  tls?: boolean;
}

export interface TestRegistry {
  host: string;
  url: string;
  username: string;
  password: string;
  caPem?: string;
  caFile?: string;
  tokenUrl?: string;
  logPath: string;
  stop(): Promise<void>;
}

const REGISTRY_BINARIES = ['/usr/bin/docker-registry', '/usr/sbin/docker-registry'];
const HTPASSWD_BINARIES = ['/usr/bin/htpasswd', '/usr/sbin/htpasswd'];
const READY_TIMEOUT_MS = 15_000;
const SERVICE = 'bulwark-test-registry';
const ISSUER = 'bulwark-test-token-issuer';

function findBinary(candidates: readonly string[]): string | null {
  return candidates.find((path) => existsSync(path)) ?? null;
}

/** false when a registry can be started, else why not (for `t.skip`). */
export function registryMissing(): false | string {
  if (findBinary(REGISTRY_BINARIES) === null) {
    return 'docker-registry not installed; run scripts/setup-image-tools.sh (Debian package docker-registry)';
  }
  if (findBinary(HTPASSWD_BINARIES) === null) {
    return 'htpasswd not installed; run scripts/setup-image-tools.sh (Debian package apache2-utils)';
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const live = new Set<() => void>();
process.once('exit', () => {
  for (const kill of live) kill();
});

/**
 * bcrypt, as the registry's htpasswd backend accepts nothing else. apache2-utils' htpasswd writes it
 * (-B, cost 5 to keep start-up fast); Node has no bcrypt and adding a library only for tests is not
 * worth it when Debian ships the reference tool. Argument array, password on stdin (-i), no shell.
 */
function htpasswdLine(username: string, password: string): string {
  const binary = findBinary(HTPASSWD_BINARIES);
  if (binary === null) throw new Error('htpasswd not installed; run scripts/setup-image-tools.sh');
  const result = spawnSync(binary, ['-n', '-i', '-B', '-C', '5', username], { input: password, encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`htpasswd failed: ${result.stderr}`);
  return result.stdout.trim();
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

interface TokenServer {
  url: string;
  close(): Promise<void>;
}

/** Parses `repository:name:pull,push` scopes (several may be given, space-separated or repeated). */
function requestedAccess(scopes: string[]): { type: string; name: string; actions: string[] }[] {
  const out: { type: string; name: string; actions: string[] }[] = [];
  for (const scope of scopes.flatMap((s) => s.split(' '))) {
    const parts = scope.split(':');
    if (parts.length < 3) continue;
    const type = parts[0]!;
    const actions = parts[parts.length - 1]!.split(',').filter((a) => a !== '');
    const name = parts.slice(1, -1).join(':');
    out.push({ type, name, actions });
  }
  return out;
}

async function startTokenServer(username: string, password: string, keyPem: string, certPem: string): Promise<TokenServer> {
  const der = new X509Certificate(certPem).raw.toString('base64');
  const expected = Buffer.from(`${username}:${password}`);
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="bulwark-test-token"' });
      response.end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: ISSUER,
      sub: username,
      aud: url.searchParams.get('service') ?? SERVICE,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access: requestedAccess(url.searchParams.getAll('scope')),
    };
    const head = base64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: [der] }));
    const body = base64url(JSON.stringify(claims));
    // JWS ES256 wants the raw r||s signature, not DER.
    const signature = createSign('SHA256').update(`${head}.${body}`).sign({ key: keyPem, dsaEncoding: 'ieee-p1363' });
    const token = `${head}.${body}.${base64url(signature)}`;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/token`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function waitReady(url: string, ca: string | undefined, registry: ManagedProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const { request } = await import(url.startsWith('https:') ? 'node:https' : 'node:http');
  while (Date.now() < deadline) {
    if (registry.exitStatus() !== null) break;
    const status = await new Promise<number>((resolve) => {
      const req = request(`${url}/v2/`, { ca, timeout: 1000 }, (res: import('node:http').IncomingMessage) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (status === 200 || status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let log = '';
  try {
    log = readFileSync(registry.logPath, 'utf8').slice(-2000);
  } catch {
    // no log
  }
  throw new Error(`docker-registry did not become ready at ${url} within ${READY_TIMEOUT_MS} ms:\n${log}`);
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const missing = registryMissing();
  if (missing !== false) throw new Error(missing);
  const auth = options.auth ?? 'none';
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-registry-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const runCleanups = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // keep tearing down the rest
      }
    }
  };
  try {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const username = auth === 'none' ? '' : 'bulwark';
    const password = auth === 'none' ? '' : randomBytes(12).toString('base64url');
    const config: Record<string, unknown> = {
      version: 0.1,
      log: { level: 'info', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: join(dir, 'storage') }, delete: { enabled: true } },
      http: { addr: host, secret: randomBytes(16).toString('hex') },
    };
    let caPem: string | undefined;
    let caFile: string | undefined;
    let tokenUrl: string | undefined;
    if (options.tls === true || auth === 'token') {
      const ca = await createCertificateAuthority('bulwark-test-registry-ca');
      if (options.tls === true) {
        const serving = await issueCertificate(ca, { commonName: '127.0.0.1', hosts: ['127.0.0.1', 'localhost'], usages: ['server'] });
        writeFileSync(join(dir, 'tls.crt'), serving.cert, { mode: 0o600 });
        writeFileSync(join(dir, 'tls.key'), serving.key, { mode: 0o600 });
        (config.http as Record<string, unknown>).tls = { certificate: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
        caPem = ca.cert;
        caFile = join(dir, 'ca.crt');
        writeFileSync(caFile, ca.cert);
      }
      if (auth === 'token') {
        // The token signer is a self-signed CA certificate; the registry trusts it as its root bundle.
        const signer = await createCertificateAuthority('bulwark-test-token-signer');
        writeFileSync(join(dir, 'token-root.pem'), signer.cert);
        const tokenServer = await startTokenServer(username, password, signer.key, signer.cert);
        cleanups.push(() => tokenServer.close());
        tokenUrl = tokenServer.url;
        config.auth = { token: { realm: tokenUrl, service: SERVICE, issuer: ISSUER, rootcertbundle: join(dir, 'token-root.pem') } };
      }
    }
    if (auth === 'basic') {
      writeFileSync(join(dir, 'htpasswd'), `${htpasswdLine(username, password)}\n`, { mode: 0o600 });
      config.auth = { htpasswd: { realm: 'bulwark-test', path: join(dir, 'htpasswd') } };
    }
    // JSON is YAML: the registry reads this file as its configuration.
    writeFileSync(join(dir, 'config.yml'), JSON.stringify(config, null, 2));
    const registry = await startProcess({
      name: 'docker-registry',
      executable: findBinary(REGISTRY_BINARIES)!,
      args: ['serve', join(dir, 'config.yml')],
      logPath: join(dir, 'registry.log'),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    });
    const kill = (): void => registry.killNow();
    live.add(kill);
    cleanups.push(async () => {
      live.delete(kill);
      await registry.stop(3000);
    });
    const url = `${options.tls === true ? 'https' : 'http'}://${host}`;
    await waitReady(url, caPem, registry);
    const result: TestRegistry = { host, url, username, password, logPath: registry.logPath, stop: runCleanups };
    if (caPem !== undefined) result.caPem = caPem;
    if (caFile !== undefined) result.caFile = caFile;
    if (tokenUrl !== undefined) result.tokenUrl = tokenUrl;
    return result;
  } catch (error) {
    await runCleanups();
    throw error;
  }
}
