// `bulwark audit detect`: offline replay of audit events through the rules, for investigations and
// for testing rules. The report is stable JSON: alerts in input order, then rule order.
import { createDetector, type Alert, type DetectorOptions } from './detector.ts';
import type { ParseProblem } from './event.ts';
import { readAuditEvents, sizeOfSource, type ReadOptions } from './reader.ts';

export interface DetectOptions extends ReadOptions {
  rulesFiles?: readonly string[];
  builtinRules?: boolean;
  detector?: DetectorOptions;
}

export interface DetectReport {
  events: number;
  alerts: Alert[];
  /** The first MAX_KEPT_PROBLEMS malformed inputs; `malformed` counts them all. */
  problems: ParseProblem[];
  malformed: number;
  /** Rules whose condition failed to evaluate on some event (counted as not matching). */
  ruleErrors: { rule: string; count: number; last: string }[];
}

export const MAX_KEPT_PROBLEMS = 20;

export async function detectFiles(sources: readonly string[], options: DetectOptions = {}): Promise<DetectReport> {
  for (const source of sources) if (source !== '-') sizeOfSource(source);
  const detector = createDetector({ builtin: options.builtinRules ?? true, files: options.rulesFiles ?? [] }, options.detector ?? {});
  const report: DetectReport = { events: 0, alerts: [], problems: [], malformed: 0, ruleErrors: [] };
  for (const source of sources) {
    for await (const batch of readAuditEvents(source, options)) {
      report.events += batch.events.length;
      report.malformed += batch.problems.length;
      // A file of the wrong kind is malformed on every line: the first ones say what is wrong, the
      // rest would only flood the terminal and memory.
      const room = MAX_KEPT_PROBLEMS - report.problems.length;
      if (room > 0) report.problems.push(...batch.problems.slice(0, room));
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
