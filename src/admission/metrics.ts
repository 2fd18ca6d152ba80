// The webhook's Prometheus series. Registered on the registry the server exposes at /metrics, so one
// scrape shows the admission, TLS and process series together.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Outcome } from './controller.ts';

export interface AdmissionMetrics {
  request(endpoint: string, code: number, seconds: number): void;
  decision(rule: string, outcome: Outcome): void;
  cache(cache: 'namespaces' | 'digests', outcome: 'hit' | 'miss'): void;
}

export function admissionMetrics(registry: Registry): AdmissionMetrics {
  const requests = new Counter({
    name: 'bulwark_admission_requests_total',
    help: 'Admission requests by endpoint and HTTP status code.',
    labelNames: ['endpoint', 'code'] as const,
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'bulwark_admission_decisions_total',
    help: 'Rule outcomes (pass, deny, warn, audit, error, skip, exempt, mutate) by rule.',
    labelNames: ['rule', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'bulwark_admission_request_duration_seconds',
    help: 'Time from a complete request body to the response, by endpoint.',
    labelNames: ['endpoint'] as const,
    // The API server's budget is timeoutSeconds (≤ 3 s); what matters is the low milliseconds.
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const caches = new Counter({
    name: 'bulwark_admission_cache_requests_total',
    help: 'Lookups in the namespace and digest caches, by outcome.',
    labelNames: ['cache', 'outcome'] as const,
    registers: [registry],
  });
  return {
    request(endpoint, code, seconds) {
      requests.inc({ endpoint, code: String(code) });
      latency.observe({ endpoint }, seconds);
    },
    decision(rule, outcome) {
      decisions.inc({ rule, outcome });
    },
    cache(cache, outcome) {
      caches.inc({ cache, outcome });
    },
  };
}
