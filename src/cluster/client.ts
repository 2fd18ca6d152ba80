// A small, bounded client for the Kubernetes API: the credentials come from a kubeconfig (or the
// Pod's ServiceAccount), every request is rate limited (client-side QPS, so a scan never competes
// with the cluster's own controllers under API Priority and Fairness), timed out and size bounded.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BulwarkError } from '../core/index.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';

export interface ConnectOptions {
  /** Kubeconfig file; default: $KUBECONFIG, ~/.kube/config, then the in-cluster ServiceAccount. */
  kubeconfig?: string;
  /** Context to use instead of the current one. */
  context?: string;
  /**
   * Use the Pod's ServiceAccount (token, CA and the KUBERNETES_SERVICE_HOST/PORT environment)
   * without looking for a kubeconfig; `root` prefixes the standard token paths (tests).
   * Without it, the ServiceAccount is used when no kubeconfig is found.
   */
  inCluster?: { root?: string };
  /** Requests per second (default 50) and burst (default 100). */
  qps?: number;
  burst?: number;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /** Per response body (default 256 MiB). */
  maxResponseBytes?: number;
}

/** An API answer that is not 2xx: the status lets callers tell a coverage gap (403, 404) from a failure. */
export class ApiError extends BulwarkError {
  readonly status: number;
  readonly path: string;
  constructor(status: number, path: string, message: string) {
    super('E_TOOL_FAILED', `API server answered ${status} for ${path}: ${message}`);
    this.status = status;
    this.path = path;
  }
}

export interface ClusterClient {
  /** The kubeconfig context (or `in-cluster`): reports name the cluster by it. */
  readonly context: string;
  readonly server: string;
  /** GET a path (with query) and parse the JSON answer. */
  get(path: string): Promise<unknown>;
  /** POST a JSON body (SubjectAccessReview) and parse the answer. */
  post(path: string, body: unknown): Promise<unknown>;
  put(path: string, body: unknown): Promise<unknown>;
  delete(path: string): Promise<unknown>;
  /** Requests made so far (for benchmarks and progress). */
  readonly requests: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const DEFAULT_MAX_RESPONSE = 256 * 1024 * 1024;

export async function connect(options: ConnectOptions = {}): Promise<ClusterClient> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) config.loadFromFile(options.kubeconfig);
    else if (options.inCluster !== undefined) {
      if (process.env['KUBERNETES_SERVICE_HOST'] === undefined) throw new Error('KUBERNETES_SERVICE_HOST is not set: not running in a Pod');
      config.loadFromCluster(options.inCluster.root ?? '');
    } else {
      config.loadFromDefault();
      if (isNoConfigFallback(config)) throw noKubeconfigFound();
    }
  } catch (error) {
    if (error instanceof BulwarkError) throw error;
    throw new BulwarkError('E_CONFIG', `cannot read the kubeconfig${options.kubeconfig === undefined ? '' : ` ${options.kubeconfig}`}: ${(error as Error).message}`, {
      location: options.kubeconfig === undefined ? undefined : { file: options.kubeconfig },
      cause: error,
    });
  }
  if (options.context !== undefined) {
    if (config.getContextObject(options.context) === null) {
      const known = config.getContexts().map((c) => c.name);
      throw new BulwarkError('E_USAGE', `no context "${options.context}" in the kubeconfig; it has: ${known.join(', ') || '(none)'}`);
    }
    config.setCurrentContext(options.context);
  }
  const cluster = config.getCurrentCluster();
  if (cluster === null || cluster.server === '') {
    throw new BulwarkError('E_CONFIG', 'the kubeconfig has no current cluster: pass --kubeconfig and --context, or run inside a Pod with a ServiceAccount');
  }
  const server = cluster.server.replace(/\/+$/, '');
  const context = config.getCurrentContext() === 'inClusterContext' ? 'in-cluster' : config.getCurrentContext();
  const base: RequestOptions = {};
  await config.applyToHTTPSOptions(base);
  const limiter = createRateLimiter(options.qps ?? 50, options.burst ?? 100);
  return createClient(server, context, base, limiter, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE);
}

/**
 * With no $KUBECONFIG, no ~/.kube/config and no ServiceAccount token, the Kubernetes client does not
 * fail: it makes up a cluster "cluster" at http://localhost:8080 with an empty user and context
 * "loaded-context". Talking to that would fail later with a message about TLS settings that says
 * nothing of the real problem, so it is recognised here.
 */
function isNoConfigFallback(config: import('@kubernetes/client-node').KubeConfig): boolean {
  const cluster = config.getCurrentCluster();
  return (
    config.getCurrentContext() === 'loaded-context' &&
    config.getClusters().length === 1 &&
    cluster?.name === 'cluster' &&
    cluster.server === 'http://localhost:8080' &&
    config.getUsers().length === 1 &&
    config.getUsers()[0]?.name === 'user'
  );
}

function noKubeconfigFound(): BulwarkError {
  const kubeconfigEnv = process.env['KUBECONFIG'];
  const places = [
    `$KUBECONFIG (${kubeconfigEnv === undefined || kubeconfigEnv === '' ? 'not set' : kubeconfigEnv})`,
    join(homedir(), '.kube', 'config'),
    `the Pod's ServiceAccount token ${SERVICE_ACCOUNT_TOKEN}`,
  ];
  return new BulwarkError(
    'E_CONFIG',
    `no usable kubeconfig found (looked at ${places.join(', ')}); pass --kubeconfig FILE (and --context NAME), set $KUBECONFIG, or run inside a Pod with a ServiceAccount`,
  );
}

function createClient(server: string, context: string, base: RequestOptions, limiter: RateLimiter, timeoutMs: number, maxBytes: number): ClusterClient {
  const url = new URL(server);
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') throw new BulwarkError('E_CONFIG', `unsupported API server URL ${server}: use https://`);
  const prefix = url.pathname.replace(/\/+$/, '');
  let requests = 0;
  const send = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown> => {
    await limiter.take();
    requests++;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const options: RequestOptions = {
      ...base,
      method,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? undefined : Number(url.port),
      path: prefix + path,
      headers: {
        ...(base.headers ?? {}),
        accept: 'application/json',
        'user-agent': 'bulwark',
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(payload.length) }),
      },
      timeout: timeoutMs,
    };
    return new Promise((resolvePromise, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy(new BulwarkError('E_TOO_LARGE', `answer to ${path} is larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(new ApiError(status, path, statusMessage(text) ?? res.statusMessage ?? 'no message'));
            return;
          }
          try {
            resolvePromise(JSON.parse(text));
          } catch (error) {
            reject(new BulwarkError('E_PARSE', `answer to ${path} is not JSON: ${(error as Error).message}`));
          }
        });
      });
      req.on('timeout', () => req.destroy(new BulwarkError('E_TOOL_FAILED', `API server did not answer ${path} within ${timeoutMs} ms`)));
      req.on('error', (error) => {
        reject(error instanceof BulwarkError ? error : new BulwarkError('E_TOOL_FAILED', `cannot reach the API server at ${server}: ${error.message}`, { cause: error }));
      });
      req.end(payload);
    });
  };
  return {
    context,
    server,
    get: (path) => send('GET', path),
    post: (path, body) => send('POST', path, body),
    put: (path, body) => send('PUT', path, body),
    delete: (path) => send('DELETE', path),
    get requests() {
      return requests;
    },
  };
}

/** The `message` of a Kubernetes Status answer, if the body is one. */
function statusMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { kind?: unknown; message?: unknown };
    return parsed.kind === 'Status' && typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return text.length > 0 ? text.slice(0, 200) : undefined;
  }
}
