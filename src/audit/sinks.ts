// Where alerts go besides the ledger: JSON lines on stdout, and a webhook (an HTTPS endpoint that
// receives `{"alerts":[…]}` batches). Delivery never holds up ingestion: the webhook has a bounded
// queue, retries with backoff, and counts what it had to drop.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { AuditError } from './errors.ts';
import type { Alert } from './detector.ts';

export interface AlertSink {
  readonly name: string;
  emit(alerts: readonly Alert[]): void;
  close(): Promise<void>;
}

/** The stable JSON form of an alert (what `detect --format json` prints, plus when, who and which stage). */
export function alertRecord(alert: Alert): Record<string, unknown> {
  return {
    rule: alert.rule,
    falco: alert.falco,
    priority: alert.priority,
    auditID: alert.auditID,
    stage: alert.stage,
    time: alert.time > 0 ? new Date(alert.time).toISOString() : null,
    user: alert.user,
    message: alert.message,
  };
}

export class StreamSink implements AlertSink {
  readonly name = 'stdout';
  readonly #stream: NodeJS.WritableStream;

  constructor(stream: NodeJS.WritableStream = process.stdout) {
    this.#stream = stream;
  }

  emit(alerts: readonly Alert[]): void {
    if (alerts.length === 0) return;
    this.#stream.write(alerts.map((alert) => `${JSON.stringify(alertRecord(alert))}\n`).join(''));
  }

  async close(): Promise<void> {}
}

export interface WebhookSinkOptions {
  url: string;
  /** PEM CA bundle the receiver's certificate chains to (default: the system roots). */
  ca?: string;
  /** Bearer token sent as Authorization. */
  token?: string;
  timeoutMs?: number;
  maxQueued?: number;
  maxBatch?: number;
  retries?: number;
  log?: (message: string) => void;
}

export class WebhookSink implements AlertSink {
  readonly name = 'webhook';
  readonly url: URL;
  delivered = 0;
  dropped = 0;
  failed = 0;
  readonly #options: WebhookSinkOptions;
  readonly #queue: Record<string, unknown>[] = [];
  #sending: Promise<void> | undefined;
  #closed = false;

  constructor(options: WebhookSinkOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new AuditError('usage', `alert webhook ${JSON.stringify(options.url)} is not a URL`);
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new AuditError('usage', `alert webhook must be https (plain http only on loopback): ${url.origin}`);
    this.url = url;
    this.#options = options;
  }

  emit(alerts: readonly Alert[]): void {
    if (this.#closed) return;
    for (const alert of alerts) {
      if (this.#queue.length >= (this.#options.maxQueued ?? 10_000)) {
        this.#queue.shift();
        this.dropped++;
      }
      this.#queue.push(alertRecord(alert));
    }
    this.#sending ??= this.#drain().finally(() => {
      this.#sending = undefined;
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxBatch ?? 500);
      let delay = 200;
      for (let attempt = 0; ; attempt++) {
        try {
          await this.#post(JSON.stringify({ alerts: batch }));
          this.delivered += batch.length;
          break;
        } catch (error) {
          if (attempt >= (this.#options.retries ?? 3) || this.#closed) {
            this.failed += batch.length;
            this.#options.log?.(`alert webhook ${this.url.origin}: ${batch.length} alerts not delivered: ${(error as Error).message}`);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, delay).unref());
          delay *= 2;
        }
      }
    }
  }

  #post(body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(
        this.url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...(this.#options.token === undefined ? {} : { authorization: `Bearer ${this.#options.token}` }),
          },
          timeout: this.#options.timeoutMs ?? 10_000,
          ...(this.#options.ca === undefined ? {} : { ca: this.#options.ca }),
        },
        (response) => {
          response.resume();
          response.on('end', () => ((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`HTTP ${response.statusCode}`))));
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', reject);
      request.end(body);
    });
  }

  /** Waits for what is queued to be sent (or given up on). */
  async flush(): Promise<void> {
    while (this.#sending !== undefined) await this.#sending;
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }
}
