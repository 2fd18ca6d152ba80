import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BulwarkError } from '../../core/index.ts';

export interface HttpOptions {
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Extra CA certificates (PEM) trusted besides the system's. */
  ca?: string;
  /** No byte for this long (connect, headers, or between body chunks) fails the request. */
  idleTimeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

const DEFAULT_IDLE_MS = 30_000;

/** One HTTP exchange, no redirects followed; the caller owns the body stream. */
export function send(url: URL, options: HttpOptions = {}): Promise<HttpResponse> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return Promise.reject(new BulwarkError('E_INPUT', `${url.href}: only http and https URLs are supported`));
  }
  return new Promise((resolve, reject) => {
    const headers = { 'user-agent': 'bulwark', ...options.headers };
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers,
        timeout: options.idleTimeoutMs ?? DEFAULT_IDLE_MS,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      },
      (res) => {
        res.setTimeout(options.idleTimeoutMs ?? DEFAULT_IDLE_MS, () => {
          res.destroy(new BulwarkError('E_IO', `${url.origin}: no data for ${(options.idleTimeoutMs ?? DEFAULT_IDLE_MS) / 1000} s while reading ${url.pathname}`));
        });
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      },
    );
    req.on('timeout', () => req.destroy(new BulwarkError('E_IO', `${url.origin}: no answer within ${(options.idleTimeoutMs ?? DEFAULT_IDLE_MS) / 1000} s`)));
    req.on('error', (error: Error & { code?: string }) => {
      if (error instanceof BulwarkError) return reject(error);
      const hint =
        error.code === 'ECONNREFUSED'
          ? ' (is the registry running and is the port right?)'
          : /certificate|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(`${error.code} ${error.message}`)
            ? ' (pass the registry\'s CA with --ca-file)'
            : error.code === 'EPROTO' || /wrong version number/.test(error.message)
              ? ' (the server may speak plain HTTP: name it with --insecure-registry)'
              : '';
      reject(new BulwarkError('E_IO', `${url.origin}: ${error.message}${hint}`, { cause: error }));
    });
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Reads a whole body, refusing more than `max` bytes (a server cannot make us buffer without bound). */
export async function readBody(response: HttpResponse, max: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    response.body.destroy();
    throw new BulwarkError('E_TOO_LARGE', `${what}: ${declared} bytes exceed the ${max}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) {
      response.body.destroy();
      throw new BulwarkError('E_TOO_LARGE', `${what}: more than ${max} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Drains and discards a body so the connection can be reused, bounded. */
export async function discard(response: HttpResponse): Promise<void> {
  try {
    await readBody(response, 1024 * 1024, 'response');
  } catch {
    response.body.destroy();
  }
}
