// One HTTPS request to a control-plane component with a client certificate: bounded in time and in the
// size of the answer, TLS verified against the control plane's own CA (never switched off).
import { request } from 'node:https';
import { BulwarkError } from '../src/core/errors.ts';

export interface TlsClient {
  /** PEM CA that signed the server's certificate. */
  ca: string;
  /** PEM client certificate and key; absent to connect without one. */
  cert?: string;
  key?: string;
}

export interface HttpsRequest {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
}

export interface HttpsResponse {
  status: number;
  body: Buffer;
}

export function httpsRequest(url: string, tls: TlsClient, options: HttpsRequest): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = request(
      url,
      { method: options.method ?? 'GET', headers, ca: tls.ca, cert: tls.cert, key: tls.key, timeout: options.timeoutMs, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            req.destroy(new BulwarkError('E_TOO_LARGE', `${url}: answer larger than ${options.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new BulwarkError('E_TOOL_FAILED', `${url}: no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
