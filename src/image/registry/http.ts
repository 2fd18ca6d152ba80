// One HTTP exchange with a registry or token service. Responses are streams (layers can be large and
// are hashed as they arrive); small bodies are read whole with a size bound. Connections are kept
// alive per client: node:http with a keep-alive agent costs about half the CPU per request of fetch(),
// which matters when an admission webhook verifies images on a cache miss.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BulwarkError } from '../../core/index.ts';

export interface HttpOptions {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Extra CA certificates (PEM) trusted besides the system's (ignored when `agents` is given: they carry it). */
  ca?: string;
  /** No byte for this long (connect, headers, or between body chunks) fails the request. */
  idleTimeoutMs?: number;
  /** Bound on the whole exchange, connect to end of body; for small bodies read whole. */
  deadlineMs?: number;
  /** Keep-alive connection pools to reuse. */
  agents?: Agents;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

const DEFAULT_IDLE_MS = 30_000;

/** Keep-alive pools, one pair per registry client, so connections are reused across calls. */
export class Agents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;

  constructor(ca?: string) {
    this.http = new HttpAgent({ keepAlive: true, maxSockets: 16 });
    this.https = new HttpsAgent({ keepAlive: true, maxSockets: 16, ...(ca === undefined ? {} : { ca }) });
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/** The value of a response header, several values joined as HTTP allows. */
export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** One HTTP exchange, no redirects followed; the caller owns the body stream. */
export function send(url: URL, options: HttpOptions = {}): Promise<HttpResponse> {
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') {
    return Promise.reject(new BulwarkError('E_INPUT', `${url.href}: only http and https URLs are supported`));
  }
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_MS;
  const what = `${url.origin}: ${options.method ?? 'GET'} ${url.pathname}`;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'user-agent': 'bulwark', ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const agent = options.agents === undefined ? undefined : secure ? options.agents.https : options.agents.http;
    const req = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: options.method ?? 'GET',
        headers,
        timeout: idleMs,
        ...(agent === undefined ? {} : { agent }),
        ...(options.ca === undefined || agent !== undefined ? {} : { ca: options.ca }),
        ...(options.deadlineMs === undefined ? {} : { signal: AbortSignal.timeout(options.deadlineMs) }),
      },
      (res) => {
        res.setTimeout(idleMs, () => {
          res.destroy(new BulwarkError('E_IO', `${what}: no data for ${idleMs / 1000} s while reading the response`));
        });
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      },
    );
    req.on('timeout', () => req.destroy(new BulwarkError('E_IO', `${what}: no answer within ${idleMs / 1000} s`)));
    req.on('error', (error: Error & { code?: string }) => {
      if (error instanceof BulwarkError) return reject(error);
      const hint =
        error.code === 'ECONNREFUSED'
          ? ' (is the registry running and is the port right?)'
          : error.name === 'AbortError' || error.name === 'TimeoutError'
            ? ` (no complete answer within ${options.deadlineMs} ms)`
            : /certificate|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(`${error.code} ${error.message}`)
              ? " (the server's certificate is not trusted: pass its CA with --ca-file, or NODE_EXTRA_CA_CERTS)"
              : error.code === 'EPROTO' || /wrong version number/.test(error.message)
                ? ' (the server may speak plain HTTP: name it with --insecure-registry)'
                : '';
      reject(new BulwarkError('E_IO', `${what}: ${error.message}${hint}`, { cause: error }));
    });
    req.end(options.body);
  });
}

/**
 * Reads a whole body, refusing more than `max` bytes (a server cannot make us buffer without bound).
 * Event listeners rather than async iteration: this runs for every manifest a webhook fetches.
 */
export function readBody(response: HttpResponse, max: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    response.body.destroy();
    return Promise.reject(new BulwarkError('E_TOO_LARGE', `${what}: ${declared} bytes exceed the ${max}-byte limit`));
  }
  return new Promise((resolve, reject) => {
    const body = response.body;
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const fail = (error: BulwarkError): void => {
      if (settled) return;
      settled = true;
      body.destroy();
      reject(error);
    };
    body.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > max) return fail(new BulwarkError('E_TOO_LARGE', `${what}: more than ${max} bytes`));
      chunks.push(chunk);
    });
    body.on('error', (error: Error) => {
      if (error instanceof BulwarkError) return fail(error);
      const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError';
      fail(new BulwarkError('E_IO', `${what}: ${timedOut ? 'the response did not complete in time' : error.message}`, { cause: error }));
    });
    body.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    });
    // An aborted response (the peer closed the connection mid-body) ends without 'end'.
    body.on('close', () => {
      if (!settled && !body.complete) fail(new BulwarkError('E_IO', `${what}: the connection closed before the response was complete`));
    });
  });
}

/** Drains and discards a body so the connection can be reused, bounded. */
export async function discard(response: HttpResponse): Promise<void> {
  try {
    await readBody(response, 1024 * 1024, 'response');
  } catch {
    response.body.destroy();
  }
}
