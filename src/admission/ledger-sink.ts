// Every decision into the tamper-evident ledger, batched: the request path only queues, a timer
// appends what accumulated as one group commit, so the ledger's fsync never sits on the latency path.
import type { Ledger } from '../ledger/index.ts';
import type { Decision } from './controller.ts';
import type { AdmissionRequest } from './review.ts';

export interface DecisionRecorder {
  record(endpoint: string, request: AdmissionRequest, decision: Decision): void;
  close(): Promise<void>;
}

export interface LedgerRecorderOptions {
  flushMs?: number;
  /** Entries kept while the ledger is slow; beyond it the oldest are dropped and counted. */
  maxQueued?: number;
  onError?: (error: unknown) => void;
}

export class LedgerRecorder implements DecisionRecorder {
  readonly #ledger: Ledger;
  readonly #queue: { subject: string; data: string; time: number }[] = [];
  readonly #maxQueued: number;
  readonly #timer: NodeJS.Timeout;
  readonly #onError: (error: unknown) => void;
  #flushing: Promise<void> = Promise.resolve();
  dropped = 0;

  constructor(ledger: Ledger, options: LedgerRecorderOptions = {}) {
    this.#ledger = ledger;
    this.#maxQueued = options.maxQueued ?? 100_000;
    this.#onError = options.onError ?? (() => {});
    this.#timer = setInterval(() => void this.flush(), options.flushMs ?? 200);
    this.#timer.unref();
  }

  record(endpoint: string, request: AdmissionRequest, decision: Decision): void {
    if (this.#queue.length >= this.#maxQueued) {
      this.#queue.shift();
      this.dropped++;
    }
    const entry = {
      type: 'admission-decision',
      endpoint,
      uid: request.uid,
      operation: request.operation,
      resource: `${request.resource.group}/${request.resource.version}/${request.resource.resource}${request.subResource === '' ? '' : `/${request.subResource}`}`,
      namespace: request.namespace,
      name: request.name,
      user: request.userInfo.username,
      allowed: decision.allowed,
      message: decision.message,
      warnings: decision.warnings,
      outcomes: decision.outcomes,
      patched: decision.patch.length > 0,
    };
    this.#queue.push({ subject: request.userInfo.username || 'anonymous', data: JSON.stringify(entry), time: Date.now() });
  }

  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#queue.length === 0) return;
      const batch = this.#queue.splice(0, this.#queue.length);
      try {
        await this.#ledger.appendBatch(batch);
      } catch (error) {
        this.#onError(error);
      }
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    await this.#ledger.close();
  }
}
