// `bulwark audit detect`: offline replay of audit events through the rules, for investigations and
// for testing rules. The report is stable JSON: alerts in input order, then rule order.
import { createDetector, type Alert, type DetectorOptions } from './detector.ts';
import type { ParseProblem } from './event.ts';
import { readAuditEvents, type ReadOptions } from './reader.ts';

export interface DetectOptions extends ReadOptions {
  rulesFiles?: readonly string[];
  builtinRules?: boolean;
  detector?: DetectorOptions;
}

export interface DetectReport {
  events: number;
  alerts: Alert[];
  problems: ParseProblem[];
  /** Rules whose condition failed to evaluate on some event (counted as not matching). */
  ruleErrors: { rule: string; count: number; last: string }[];
}

export async function detectFiles(sources: readonly string[], options: DetectOptions = {}): Promise<DetectReport> {
  const detector = createDetector({ builtin: options.builtinRules ?? true, files: options.rulesFiles ?? [] }, options.detector ?? {});
  const report: DetectReport = { events: 0, alerts: [], problems: [], ruleErrors: [] };
  for (const source of sources) {
    for await (const batch of readAuditEvents(source, options)) {
      report.events += batch.events.length;
      report.problems.push(...batch.problems);
      for (const event of batch.events) report.alerts.push(...detector.detect(event));
    }
  }
  report.ruleErrors = [...detector.errors].map(([rule, error]) => ({ rule, ...error }));
  return report;
}

/** The JSON document `detect --format json` prints. */
export function detectJson(report: DetectReport): string {
  return `${JSON.stringify({
    alerts: report.alerts.map((alert) => ({ rule: alert.rule, falco: alert.falco, priority: alert.priority, auditID: alert.auditID, message: alert.message })),
  })}\n`;
}
