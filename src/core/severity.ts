/** Severities in ascending order; the order is the contract used by `--fail-on` and sorting. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** 0 for info … 4 for critical. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
