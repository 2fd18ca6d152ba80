// Starting a real, throwaway Kubernetes control plane (etcd + kube-apiserver) on loopback for tests:
// fresh PKI, RBAC, an admin and a restricted identity, optional encryption at rest and auditing.
// Nothing else runs (no scheduler, no controller-manager, no kubelet): objects are stored and
// served, admission and authorization run, but no Pod ever starts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BulwarkError } from '../src/core/errors.ts';
import {
  AUDIT_POLICY_API_VERSIONS,
  auditWebhookKubeconfig,
  configDocument,
  ENCRYPTION_API_VERSIONS,
  METADATA_AUDIT_POLICY,
  tokenFile,
  type AuditWebhookTarget,
  type ConfigDocument,
} from './apiserver-config.ts';
import {
  createCertificateAuthority,
  createServiceAccountKey,
  issueCertificate,
  type CertificateAuthority,
  type CertificateRequest,
  type KeyPairPem,
} from './certificates.ts';
import { reapAbandoned, reapIfAbandoned, register, releaseFiles, removeFiles, STATE_FILE, TEMP_PREFIX, unregister, writeState, type Registration } from './cleanup.ts';
import { etcdHealthy, type EtcdConnection } from './etcd.ts';
import { httpsRequest } from './https-client.ts';
import { buildKubeconfig } from './kubeconfig.ts';
import { requireBinaries, type ControlPlaneBinaries } from './paths.ts';
import { logTail, startProcess, type ManagedProcess, type ProcessExit } from './processes.ts';

export interface AuditOptions {
  /** Audit policy (default: every request at Metadata level). */
  policy?: ConfigDocument;
  /** Send events to this receiver, in batches flushed within a quarter second. */
  webhook?: AuditWebhookTarget;
  /** Also write events as JSON lines to `<dir>/audit.log` (written before the request is answered). */
  log?: boolean;
}

export interface ControlPlaneOptions {
  /** Directory for certificates, data, logs and the kubeconfig. Default: a new temp dir, removed on stop. */
  dir?: string;
  /** EncryptionConfiguration (`--encryption-provider-config`). */
  encryption?: ConfigDocument;
  audit?: AuditOptions;
  /** `--authorization-mode` (default Node,RBAC, as kubeadm sets it). */
  authorizationModes?: readonly string[];
  /**
   * `--disable-admission-plugins` (default ServiceAccount: nothing creates the `default` service
   * account here, and that plugin would reject every Pod without it).
   */
  disableAdmissionPlugins?: readonly string[];
  /** `--enable-admission-plugins` on top of the defaults (e.g. PodSecurity is already on). */
  enableAdmissionPlugins?: readonly string[];
  /** Further kube-apiserver flags (`--flag=value`), appended last so they win. */
  apiserverArgs?: readonly string[];
  /** Bound on the whole start (default 60 s). */
  startTimeoutMs?: number;
  /** How long each process gets to exit on SIGTERM before SIGKILL (default 10 s). */
  stopGraceMs?: number;
  /** Binaries to run (default: those testenv/build.sh built). */
  binaries?: ControlPlaneBinaries;
}

export interface Identity {
  user: string;
  groups: string[];
  /** Context of this identity in the kubeconfig. */
  context: string;
  /** Bearer token (static token file) for the same user and groups. */
  token: string;
  /** PEM client certificate and key, and the files holding them. */
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface ControlPlaneCa extends KeyPairPem {
  /** PEM file of the CA certificate: what a client (or a webhook's caBundle) trusts. */
  path: string;
}

export interface StartTimings {
  certificatesMs: number;
  etcdMs: number;
  apiserverMs: number;
  totalMs: number;
  attempts: number;
}

export interface ControlPlane {
  dir: string;
  kubeconfigPath: string;
  /** `https://127.0.0.1:PORT` */
  server: string;
  ca: ControlPlaneCa;
  /** User in system:masters. */
  admin: Identity;
  /** Authenticated user with no role binding: forbidden everything RBAC does not grant to all. */
  restricted: Identity;
  etcd: EtcdConnection;
  /** Present when `audit.log` was asked for. */
  auditLogPath: string | null;
  pids: { etcd: number; kubeApiserver: number };
  logs: { etcd: string; kubeApiserver: string };
  timings: StartTimings;
  /**
   * Settles when etcd or kube-apiserver exits, for whatever reason (stop() included): which one and
   * how. Awaiting it does not keep Node running (the children are unref'd so that a test which forgets
   * stop() still ends); hold a timer while waiting on it, as `testenv up` does.
   */
  exited: Promise<{ name: string; status: ProcessExit }>;
  /** A certificate signed by this control plane's CA, e.g. for an admission webhook's server. */
  issueCertificate(request: CertificateRequest): Promise<KeyPairPem>;
  /** Stops both processes (SIGTERM, then SIGKILL after the grace period) and removes the files. */
  stop(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
const DEFAULT_STOP_GRACE_MS = 10_000;
const POLL_MS = 100;
const MAX_ATTEMPTS = 3;
const LOOPBACK = '127.0.0.1';
const SERVICE_CIDR = '10.0.0.0/24';
/** The first address of the service range: where in-cluster clients reach the API server. */
const KUBERNETES_SERVICE_IP = '10.0.0.1';
const ETCD_PREFIX = '/registry';

const ADMIN = { user: 'bulwark-admin', groups: ['system:masters'], context: 'admin' };
const RESTRICTED = { user: 'bulwark-restricted', groups: [] as string[], context: 'restricted' };

/** A port the kernel just handed out on loopback; the process that binds it next may still lose a race. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The environment of the children: nothing of ours leaks in (etcd reads every ETCD_* variable as a flag). */
function childEnv(dir: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: dir, TMPDIR: process.env.TMPDIR ?? tmpdir() };
}

class StartFailure extends BulwarkError {
  readonly portConflict: boolean;
  constructor(message: string, portConflict: boolean) {
    super('E_TOOL_FAILED', message);
    this.portConflict = portConflict;
  }
}

function failure(component: ManagedProcess, what: string): StartFailure {
  const tail = logTail(component.logPath, 3000);
  const conflict = /address already in use/i.test(tail);
  const indented = tail.trim() === '' ? '    (empty)' : tail.trimEnd().split('\n').map((line) => `    ${line}`).join('\n');
  return new StartFailure(`${component.name} ${what}; last lines of ${component.logPath} (removed with its directory unless BULWARK_TESTENV_KEEP=1):\n${indented}`, conflict);
}

function exitText(component: ManagedProcess): string | null {
  const status = component.exitStatus();
  if (status === null) return null;
  return status.signal !== null ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
}

/** Polls `ready` until true; fails when the process exits or the deadline passes. */
async function waitUntilReady(component: ManagedProcess, deadline: number, ready: () => Promise<boolean>): Promise<void> {
  for (;;) {
    const exited = exitText(component);
    if (exited !== null) throw failure(component, `${exited} during start`);
    if (await ready()) return;
    if (Date.now() >= deadline) throw failure(component, 'was not ready in time');
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function write(path: string, content: string, mode = 0o600): string {
  writeFileSync(path, content, { mode });
  return path;
}

interface Prepared {
  ca: CertificateAuthority;
  files: Record<string, string>;
  admin: Identity;
  restricted: Identity;
  etcdClient: KeyPairPem;
}

async function preparePki(dir: string): Promise<Prepared> {
  const pki = join(dir, 'pki');
  mkdirSync(pki, { mode: 0o700 });
  const ca = await createCertificateAuthority();
  const [apiserver, etcdServer, etcdClient, adminCert, restrictedCert, serviceAccount] = await Promise.all([
    issueCertificate(ca, {
      commonName: 'kube-apiserver',
      hosts: ['localhost', LOOPBACK, KUBERNETES_SERVICE_IP, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
      usages: ['server'],
    }),
    // etcd's one certificate serves clients and authenticates it to itself as a peer.
    issueCertificate(ca, { commonName: 'etcd', hosts: ['localhost', LOOPBACK], usages: ['server', 'client'] }),
    issueCertificate(ca, { commonName: 'kube-apiserver-etcd-client', usages: ['client'] }),
    issueCertificate(ca, { commonName: ADMIN.user, organizations: ADMIN.groups, usages: ['client'] }),
    issueCertificate(ca, { commonName: RESTRICTED.user, organizations: RESTRICTED.groups, usages: ['client'] }),
    createServiceAccountKey(),
  ]);
  const files: Record<string, string> = {
    caCert: write(join(pki, 'ca.crt'), ca.cert, 0o644),
    caKey: write(join(pki, 'ca.key'), ca.key),
    apiserverCert: write(join(pki, 'apiserver.crt'), apiserver.cert),
    apiserverKey: write(join(pki, 'apiserver.key'), apiserver.key),
    etcdCert: write(join(pki, 'etcd.crt'), etcdServer.cert),
    etcdKey: write(join(pki, 'etcd.key'), etcdServer.key),
    etcdClientCert: write(join(pki, 'etcd-client.crt'), etcdClient.cert),
    etcdClientKey: write(join(pki, 'etcd-client.key'), etcdClient.key),
    saKey: write(join(pki, 'service-account.key'), serviceAccount.privateKey),
    saPub: write(join(pki, 'service-account.pub'), serviceAccount.publicKey),
  };
  const identity = (base: typeof ADMIN, pair: KeyPairPem, name: string): Identity => ({
    ...base,
    groups: [...base.groups],
    token: randomBytes(24).toString('hex'),
    cert: pair.cert,
    key: pair.key,
    certPath: write(join(pki, `${name}.crt`), pair.cert),
    keyPath: write(join(pki, `${name}.key`), pair.key),
  });
  return { ca, files, admin: identity(ADMIN, adminCert, 'admin'), restricted: identity(RESTRICTED, restrictedCert, 'restricted'), etcdClient };
}

interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
}

function etcdArgs(dir: string, files: Record<string, string>, ports: Ports): string[] {
  const client = `https://${LOOPBACK}:${ports.etcdClient}`;
  const peer = `https://${LOOPBACK}:${ports.etcdPeer}`;
  return [
    '--name=testenv',
    `--data-dir=${join(dir, 'etcd-data')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=testenv=${peer}`,
    '--initial-cluster-state=new',
    `--cert-file=${files.etcdCert}`,
    `--key-file=${files.etcdKey}`,
    `--trusted-ca-file=${files.caCert}`,
    '--client-cert-auth=true',
    `--peer-cert-file=${files.etcdCert}`,
    `--peer-key-file=${files.etcdKey}`,
    `--peer-trusted-ca-file=${files.caCert}`,
    '--peer-client-cert-auth=true',
    // The JSON gateway is how tests read raw values (encryption at rest) without etcdctl.
    '--enable-grpc-gateway=true',
    // Throwaway data: durability buys nothing and fsync is the slowest part of every write.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

function apiserverArgs(dir: string, files: Record<string, string>, ports: Ports, options: ControlPlaneOptions, extraFiles: { encryption?: string; auditPolicy?: string; auditWebhook?: string; auditLog?: string; tokens: string }): string[] {
  const args = [
    `--bind-address=${LOOPBACK}`,
    `--advertise-address=${LOOPBACK}`,
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${join(dir, 'pki')}`,
    `--tls-cert-file=${files.apiserverCert}`,
    `--tls-private-key-file=${files.apiserverKey}`,
    `--client-ca-file=${files.caCert}`,
    `--token-auth-file=${extraFiles.tokens}`,
    `--authorization-mode=${(options.authorizationModes ?? ['Node', 'RBAC']).join(',')}`,
    `--etcd-servers=https://${LOOPBACK}:${ports.etcdClient}`,
    `--etcd-cafile=${files.caCert}`,
    `--etcd-certfile=${files.etcdClientCert}`,
    `--etcd-keyfile=${files.etcdClientKey}`,
    `--etcd-prefix=${ETCD_PREFIX}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${files.saPub}`,
    `--service-account-signing-key-file=${files.saKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--allow-privileged=true',
    // A loopback address is not a valid Endpoints address: the "kubernetes" Service endpoint
    // reconciler would only log errors. Nothing here routes through that Service anyway.
    '--endpoint-reconciler-type=none',
    '--profiling=false',
  ];
  const disabled = options.disableAdmissionPlugins ?? ['ServiceAccount'];
  if (disabled.length > 0) args.push(`--disable-admission-plugins=${disabled.join(',')}`);
  if (options.enableAdmissionPlugins !== undefined && options.enableAdmissionPlugins.length > 0) {
    args.push(`--enable-admission-plugins=${options.enableAdmissionPlugins.join(',')}`);
  }
  if (extraFiles.encryption !== undefined) args.push(`--encryption-provider-config=${extraFiles.encryption}`);
  if (extraFiles.auditPolicy !== undefined) args.push(`--audit-policy-file=${extraFiles.auditPolicy}`);
  if (extraFiles.auditLog !== undefined) {
    args.push(`--audit-log-path=${extraFiles.auditLog}`, '--audit-log-format=json', '--audit-log-mode=blocking');
  }
  if (extraFiles.auditWebhook !== undefined) {
    args.push(
      `--audit-webhook-config-file=${extraFiles.auditWebhook}`,
      '--audit-webhook-version=audit.k8s.io/v1',
      // Tests wait for events: flush small batches quickly, never hold them back.
      '--audit-webhook-mode=batch',
      '--audit-webhook-batch-max-wait=250ms',
      '--audit-webhook-batch-max-size=50',
      '--audit-webhook-batch-throttle-enable=false',
      '--audit-webhook-initial-backoff=100ms',
    );
  }
  args.push(...(options.apiserverArgs ?? []));
  return args;
}

/** Validates the options before anything is created, so a mistake costs no start. */
function configFiles(options: ControlPlaneOptions): { encryption?: string; auditPolicy?: string; auditWebhook?: string } {
  const out: { encryption?: string; auditPolicy?: string; auditWebhook?: string } = {};
  if (options.encryption !== undefined) {
    out.encryption = configDocument(options.encryption, 'encryption', 'EncryptionConfiguration', ENCRYPTION_API_VERSIONS);
  }
  if (options.audit !== undefined) {
    if (options.audit.webhook === undefined && options.audit.log !== true) {
      throw new BulwarkError('E_USAGE', 'audit: name a webhook receiver, or log: true, or both');
    }
    out.auditPolicy = configDocument(options.audit.policy ?? METADATA_AUDIT_POLICY, 'audit.policy', 'Policy', AUDIT_POLICY_API_VERSIONS);
    if (options.audit.webhook !== undefined) out.auditWebhook = auditWebhookKubeconfig(options.audit.webhook);
  }
  return out;
}

function checkOptions(options: ControlPlaneOptions): void {
  const timeout = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const grace = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  if (!Number.isFinite(timeout) || timeout < 1000 || timeout > 600_000) {
    throw new BulwarkError('E_USAGE', `startTimeoutMs must be between 1000 and 600000, found ${timeout}`);
  }
  if (!Number.isFinite(grace) || grace < 0 || grace > 120_000) {
    throw new BulwarkError('E_USAGE', `stopGraceMs must be between 0 and 120000, found ${grace}`);
  }
  for (const arg of options.apiserverArgs ?? []) {
    if (!arg.startsWith('--')) throw new BulwarkError('E_USAGE', `apiserverArgs: expected --flag=value, found ${JSON.stringify(arg).slice(0, 80)}`);
  }
}

/**
 * Claims `dir` for a control plane: a given directory must not hold a running one; a stale one
 * (owner gone) is reaped. Returns the registration that knows what to remove on stop.
 */
function claimDir(given: string | undefined): Registration {
  if (given === undefined) {
    return { dir: mkdtempSync(join(tmpdir(), TEMP_PREFIX)), ownsDir: true, created: [], processes: [] };
  }
  const dir = resolve(given);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return { dir, ownsDir: true, created: [], processes: [] };
  }
  if (existsSync(join(dir, STATE_FILE)) && !reapIfAbandoned(dir)) {
    throw new BulwarkError('E_USAGE', `${dir} already holds a running control plane (see ${join(dir, STATE_FILE)}); stop it first`);
  }
  const leftovers = ['pki', 'etcd-data', 'kubeconfig', STATE_FILE];
  const clash = readdirSync(dir).filter((name) => name !== STATE_FILE && leftovers.includes(name));
  if (clash.length > 0 && !existsSync(join(dir, STATE_FILE))) {
    throw new BulwarkError('E_USAGE', `${dir} already holds ${clash.join(', ')}; use an empty directory`);
  }
  // Leftovers of a reaped control plane are ours to replace.
  const registration: Registration = { dir, ownsDir: false, created: [], processes: [] };
  registration.created.push(...leftovers, 'etcd.log', 'kube-apiserver.log', 'tokens.csv', 'encryption.yaml', 'audit-policy.yaml', 'audit-webhook.kubeconfig', 'audit.log');
  removeFiles(registration);
  return registration;
}

async function stopProcesses(processes: readonly ManagedProcess[], graceMs: number): Promise<void> {
  // The API server first: stopping etcd under it only produces errors in its log.
  for (const child of [...processes].reverse()) await child.stop(graceMs);
}

async function startOnce(options: ControlPlaneOptions, binaries: ControlPlaneBinaries, deadline: number, attempt: number): Promise<ControlPlane> {
  const started = performance.now();
  const grace = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  const configs = configFiles(options);
  const registration = claimDir(options.dir);
  const { dir } = registration;
  register(registration);
  try {
    const prepared = await preparePki(dir);
    const certificatesDone = performance.now();
    const [etcdClientPort, etcdPeerPort, apiserverPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const ports: Ports = { etcdClient: etcdClientPort, etcdPeer: etcdPeerPort, apiserver: apiserverPort };
    if (new Set([ports.etcdClient, ports.etcdPeer, ports.apiserver]).size !== 3) throw new StartFailure('the kernel handed out one port twice', true);

    const extra: { encryption?: string; auditPolicy?: string; auditWebhook?: string; auditLog?: string; tokens: string } = {
      tokens: write(
        join(dir, 'tokens.csv'),
        tokenFile([
          { token: prepared.admin.token, user: prepared.admin.user, uid: 'bulwark-admin', groups: prepared.admin.groups },
          { token: prepared.restricted.token, user: prepared.restricted.user, uid: 'bulwark-restricted', groups: prepared.restricted.groups },
        ]),
      ),
    };
    if (configs.encryption !== undefined) extra.encryption = write(join(dir, 'encryption.yaml'), configs.encryption);
    if (configs.auditPolicy !== undefined) extra.auditPolicy = write(join(dir, 'audit-policy.yaml'), configs.auditPolicy);
    if (configs.auditWebhook !== undefined) extra.auditWebhook = write(join(dir, 'audit-webhook.kubeconfig'), configs.auditWebhook);
    if (options.audit?.log === true) extra.auditLog = join(dir, 'audit.log');

    const server = `https://${LOOPBACK}:${ports.apiserver}`;
    const kubeconfigPath = write(
      join(dir, 'kubeconfig'),
      buildKubeconfig(server, prepared.ca.cert, [
        { name: prepared.admin.context, cert: prepared.admin.cert, key: prepared.admin.key },
        { name: prepared.restricted.context, cert: prepared.restricted.cert, key: prepared.restricted.key },
      ], prepared.admin.context),
    );
    const etcd: EtcdConnection = {
      endpoint: `https://${LOOPBACK}:${ports.etcdClient}`,
      ca: prepared.ca.cert,
      cert: prepared.etcdClient.cert,
      key: prepared.etcdClient.key,
      caPath: prepared.files.caCert!,
      certPath: prepared.files.etcdClientCert!,
      keyPath: prepared.files.etcdClientKey!,
      prefix: ETCD_PREFIX,
    };

    mkdirSync(join(dir, 'etcd-data'), { mode: 0o700 });
    const env = childEnv(dir);
    const saveState = (): void =>
      writeState(dir, {
        ownerPid: process.pid,
        processes: registration.processes.map((child, index) => ({ name: child.name, pid: child.pid, executable: index === 0 ? binaries.etcd : binaries.kubeApiserver })),
      });

    const etcdProcess = await startProcess({ name: 'etcd', executable: binaries.etcd, args: etcdArgs(dir, prepared.files, ports), logPath: join(dir, 'etcd.log'), env, cwd: dir });
    registration.processes.push(etcdProcess);
    saveState();
    await waitUntilReady(etcdProcess, deadline, () => etcdHealthy(etcd));
    const etcdDone = performance.now();

    const apiserver = await startProcess({
      name: 'kube-apiserver',
      executable: binaries.kubeApiserver,
      args: apiserverArgs(dir, prepared.files, ports, options, extra),
      logPath: join(dir, 'kube-apiserver.log'),
      env,
      cwd: dir,
    });
    registration.processes.push(apiserver);
    saveState();
    const adminTls = { ca: prepared.ca.cert, cert: prepared.admin.cert, key: prepared.admin.key };
    await waitUntilReady(apiserver, deadline, async () => {
      try {
        return (await httpsRequest(`${server}/readyz`, adminTls, { timeoutMs: 2000, maxBytes: 64 * 1024 })).status === 200;
      } catch {
        return false;
      }
    });
    const apiserverDone = performance.now();

    let stopped: Promise<void> | null = null;
    const ca = prepared.ca;
    return {
      dir,
      kubeconfigPath,
      server,
      ca: { cert: ca.cert, key: ca.key, path: prepared.files.caCert! },
      admin: prepared.admin,
      restricted: prepared.restricted,
      etcd,
      auditLogPath: extra.auditLog ?? null,
      pids: { etcd: etcdProcess.pid, kubeApiserver: apiserver.pid },
      logs: { etcd: etcdProcess.logPath, kubeApiserver: apiserver.logPath },
      timings: {
        certificatesMs: Math.round(certificatesDone - started),
        etcdMs: Math.round(etcdDone - certificatesDone),
        apiserverMs: Math.round(apiserverDone - etcdDone),
        totalMs: Math.round(apiserverDone - started),
        attempts: attempt,
      },
      exited: Promise.race([etcdProcess, apiserver].map((child) => child.exited.then((status) => ({ name: child.name, status })))),
      issueCertificate: (request) => issueCertificate(ca, request),
      stop(): Promise<void> {
        // Idempotent, and safe to call from several finally blocks at once.
        stopped ??= (async () => {
          try {
            await stopProcesses(registration.processes, grace);
          } finally {
            unregister(registration);
            releaseFiles(registration);
          }
        })();
        return stopped;
      },
    };
  } catch (error) {
    // Nothing half-started survives a failed start, but its logs are quoted in the error first.
    await stopProcesses(registration.processes, 0).catch(() => undefined);
    unregister(registration);
    releaseFiles(registration);
    throw error;
  }
}

/**
 * Starts etcd and kube-apiserver on free loopback ports and waits until the API server is ready.
 * Always pair with `stop()` (in a `finally` or `after` hook); if the process exits first, an exit
 * hook kills what is left. Throws E_TOOL_MISSING when the binaries are not built, E_TOOL_FAILED with
 * the component's last log lines when it does not come up within `startTimeoutMs`.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  checkOptions(options);
  configFiles(options); // option mistakes before anything else is spent
  const binaries = options.binaries ?? requireBinaries();
  const deadline = Date.now() + (options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  reapAbandoned();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, binaries, deadline, attempt);
    } catch (error) {
      // Another process may take a free port between our probe and the component's bind: retry.
      if (error instanceof StartFailure && error.portConflict && attempt < MAX_ATTEMPTS && Date.now() < deadline) continue;
      throw error;
    }
  }
}
