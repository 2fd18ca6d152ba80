// The audit webhook endpoint as a route module of the shared HTTPS server: the API server's webhook
// backend POSTs `audit.k8s.io/v1` (or v1beta1) EventList batches here. A batch is answered 200 once
// its events are durable in the ledger; 503 when they could not be recorded (the API server retries
// the batch, and duplicates are recognised); 400 for a body that is not an event list, with what is
// wrong. Events that are individually malformed are reported and counted; the rest are recorded.
import { timingSafeEqual } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { RouteModule } from '../server/index.ts';
import { eventsOfDocument, parseJson, type ParseProblem } from './event.ts';
import type { AuditIngestor } from './ingest.ts';
import { readBoundedText } from '../server/body.ts';

export interface ReceiverOptions {
  ingestor: AuditIngestor;
  /** Default /audit. */
  path?: string;
  /** Default 64 MiB: a batch of a few hundred RequestResponse events fits many times over. */
  maxBodyBytes?: number;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  onProblems?: (problems: readonly ParseProblem[]) => void;
  onError?: (error: unknown) => void;
}

export const DEFAULT_RECEIVER_PATH = '/audit';
const DEFAULT_MAX_BODY = 64 << 20;

type Ctx = Context<{ Bindings: HttpBindings }>;

function tokenMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface ReceiverMetrics {
  events: Counter<'result'>;
  alerts: Counter<'priority'>;
  batches: Counter<'status'>;
  seconds: Histogram;
}

function metrics(registry: Registry): ReceiverMetrics {
  return {
    events: new Counter({ name: 'bulwark_audit_events_total', help: 'Audit events received, by result (recorded, duplicate, malformed).', labelNames: ['result'] as const, registers: [registry] }),
    alerts: new Counter({ name: 'bulwark_audit_alerts_total', help: 'Alerts raised, by priority.', labelNames: ['priority'] as const, registers: [registry] }),
    batches: new Counter({ name: 'bulwark_audit_batches_total', help: 'Webhook batches, by HTTP status answered.', labelNames: ['status'] as const, registers: [registry] }),
    seconds: new Histogram({ name: 'bulwark_audit_batch_seconds', help: 'Time to record a batch durably.', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry] }),
  };
}

export function auditReceiver(options: ReceiverOptions): RouteModule {
  const path = options.path ?? DEFAULT_RECEIVER_PATH;
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  let m: ReceiverMetrics | undefined;
  return {
    name: 'audit',
    register(app, context) {
      m = metrics(context.registry);
      app.post(path, context.requireClientCertificate, async (c: Ctx) => {
        const answer = (status: 200 | 400 | 401 | 413 | 415 | 503, body: Record<string, unknown>): Response => {
          m?.batches.inc({ status: String(status) });
          return c.json(body, status);
        };
        if (options.token !== undefined && !tokenMatches(c.req.header('authorization'), options.token)) {
          return answer(401, { error: { code: 'E_UNAUTHORIZED', message: 'a valid bearer token is required' } });
        }
        const type = (c.req.header('content-type') ?? '').toLowerCase();
        if (!type.startsWith('application/json')) return answer(415, { error: { code: 'E_INPUT', message: `content-type must be application/json, not ${JSON.stringify(type.slice(0, 80))}` } });
        const body = await readBoundedText(c.env?.incoming ?? c.req.raw, limit);
        if (body === null) return answer(413, { error: { code: 'E_TOO_LARGE', message: `request body is larger than ${limit} bytes` } });
        const parsed = parseJson(body, 'request body');
        if (!parsed.ok) return answer(400, { error: { code: 'E_PARSE', message: parsed.problem.message } });
        const value = parsed.value;
        if (typeof value !== 'object' || value === null || Array.isArray(value) || (value as { kind?: unknown }).kind !== 'EventList') {
          return answer(400, { error: { code: 'E_INPUT', message: 'expected an audit.k8s.io EventList' } });
        }
        const { events, problems } = eventsOfDocument(value, 'request body');
        if (problems.length > 0) {
          m?.events.inc({ result: 'malformed' }, problems.length);
          options.onProblems?.(problems);
        }
        const started = performance.now();
        try {
          const result = await options.ingestor.ingest(events);
          m?.seconds.observe((performance.now() - started) / 1000);
          m?.events.inc({ result: 'recorded' }, result.received - result.duplicates);
          if (result.duplicates > 0) m?.events.inc({ result: 'duplicate' }, result.duplicates);
          for (const alert of result.alerts) m?.alerts.inc({ priority: alert.priority });
          return answer(200, {
            received: result.received,
            recorded: result.received - result.duplicates,
            duplicates: result.duplicates,
            alerts: result.alerts.length,
            malformed: problems.map((p) => `${p.where}: ${p.message}`).slice(0, 20),
          });
        } catch (error) {
          options.onError?.(error);
          return answer(503, { error: { code: 'E_IO', message: `events not recorded: ${(error as Error).message}` } });
        }
      });
    },
    close: () => options.ingestor.close(),
  };
}
