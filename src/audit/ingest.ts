// Ingestion: events → detections → the ledger → alert sinks. Each batch (a webhook EventList, a run
// of log lines) becomes one group commit holding its events and the alerts they raised, so an alert
// is durable together with the event behind it; only then are alerts sent on and the batch
// acknowledged. Every entry's subject is the user who acted, so crypto-shredding a user erases their
// events and the alerts about them, while every proof still verifies.
import { createHash } from 'node:crypto';
import type { AppendInput, Ledger } from '../ledger/index.ts';
import { Deduplicator } from './dedup.ts';
import type { Alert, Detector } from './detector.ts';
import type { AuditEvent } from './event.ts';
import type { AlertSink } from './sinks.ts';

/** Longest subject the ledger accepts; longer user names are replaced by their hash. */
const MAX_SUBJECT_BYTES = 256;

/** The ledger subject of an event: its user (who made the request). */
export function subjectOf(event: AuditEvent): string {
  const name = event.user.username;
  if (name === '') return 'unknown-user';
  if (Buffer.byteLength(name) <= MAX_SUBJECT_BYTES) return name;
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

export interface IngestResult {
  received: number;
  appended: number;
  duplicates: number;
  alerts: Alert[];
  /** Index of the first ledger entry written, when any was. */
  firstEntry?: number;
}

export interface IngestorOptions {
  detector: Detector;
  /** Omitted: detections only (nothing recorded). */
  ledger?: Ledger;
  sinks?: readonly AlertSink[];
  dedup?: Deduplicator;
  now?: () => number;
}

export interface IngestStats {
  received: number;
  appended: number;
  duplicates: number;
  alerts: number;
  failedBatches: number;
}

export class AuditIngestor {
  readonly detector: Detector;
  readonly ledger: Ledger | undefined;
  readonly dedup: Deduplicator;
  readonly stats: IngestStats = { received: 0, appended: 0, duplicates: 0, alerts: 0, failedBatches: 0 };
  readonly #sinks: readonly AlertSink[];
  readonly #now: () => number;

  constructor(options: IngestorOptions) {
    this.detector = options.detector;
    this.ledger = options.ledger;
    this.dedup = options.dedup ?? new Deduplicator();
    this.#sinks = options.sinks ?? [];
    this.#now = options.now ?? Date.now;
  }

  /**
   * Records and checks a batch; resolves once its entries are durable (or rejects, leaving nothing
   * marked as seen, so a retry of the same batch is taken in full).
   */
  async ingest(events: readonly AuditEvent[]): Promise<IngestResult> {
    const fresh: AuditEvent[] = [];
    const keys: string[] = [];
    let duplicates = 0;
    for (const event of events) {
      const key = Deduplicator.key(event.auditID, event.stage);
      if (this.dedup.has(key)) {
        duplicates++;
        continue;
      }
      this.dedup.add(key);
      keys.push(key);
      fresh.push(event);
    }
    const alerts: Alert[] = [];
    const inputs: AppendInput[] = [];
    const now = this.#now();
    for (const event of fresh) {
      const raised = this.detector.detect(event);
      if (this.ledger !== undefined) {
        const subject = subjectOf(event);
        const time = event.time > 0 ? event.time : now;
        inputs.push({ subject, time, data: JSON.stringify({ type: 'audit-event', event: event.raw }) });
        for (const alert of raised) inputs.push({ subject, time, data: JSON.stringify({ type: 'audit-alert', alert }) });
      }
      for (const alert of raised) alerts.push(alert);
    }
    let firstEntry: number | undefined;
    if (this.ledger !== undefined && inputs.length > 0) {
      try {
        firstEntry = (await this.ledger.appendBatch(inputs)).first;
      } catch (error) {
        for (const key of keys) this.dedup.delete(key);
        this.stats.failedBatches++;
        throw error;
      }
    }
    this.stats.received += events.length;
    this.stats.appended += inputs.length;
    this.stats.duplicates += duplicates;
    this.stats.alerts += alerts.length;
    for (const sink of this.#sinks) sink.emit(alerts);
    return { received: events.length, appended: inputs.length, duplicates, alerts, ...(firstEntry === undefined ? {} : { firstEntry }) };
  }

  /**
   * Remembers the (auditID, stage) of the last `count` events in the ledger, so that a restarted
   * receiver still recognises a batch the API server resends.
   */
  async rememberRecent(count = 20_000): Promise<number> {
    if (this.ledger === undefined) return 0;
    const { size } = await this.ledger.head();
    let remembered = 0;
    for await (const entry of this.ledger.read({ from: Math.max(0, size - count) })) {
      if (entry.status !== 'ok' || entry.data === undefined) continue;
      try {
        const record = JSON.parse(entry.data.toString('utf8')) as { type?: unknown; event?: { auditID?: unknown; stage?: unknown } };
        if (record.type === 'audit-event' && typeof record.event?.auditID === 'string' && typeof record.event.stage === 'string') {
          this.dedup.add(Deduplicator.key(record.event.auditID, record.event.stage));
          remembered++;
        }
      } catch {
        /* another kind of entry */
      }
    }
    return remembered;
  }

  async close(): Promise<void> {
    for (const sink of this.#sinks) await sink.close();
  }
}
