import { SEVERITIES, type Control, type Finding, type ObjectRef, type Severity } from '../core/index.ts';

/** Everything a report format needs from one scan; every format is a pure function of it. */
export interface ScanReport {
  tool: { name: 'bulwark'; version: string };
  /** Already in deterministic order (the engine sorts by file, line, column, control). */
  findings: readonly Finding[];
  /** The controls that ran, in catalog order; SARIF lists them as rules. */
  controls: readonly Control[];
  summary: ScanSummary;
}

export interface ScanSummary {
  objects: number;
  files: number;
  findings: number;
  bySeverity: Record<Severity, number>;
  /** Findings hidden by exceptions (annotations or the config file). */
  suppressed: number;
  /** Inputs that could not be read or parsed. */
  errors: number;
}

/** Most severe first: the order in which people read counts. */
export const SEVERITIES_DESCENDING: readonly Severity[] = [...SEVERITIES].reverse();

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 } satisfies Record<Severity, number>;
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

export function summarize(
  findings: readonly Finding[],
  scope: { objects: number; files: number; suppressed?: number; errors?: number },
): ScanSummary {
  return {
    objects: scope.objects,
    files: scope.files,
    findings: findings.length,
    bySeverity: countBySeverity(findings),
    suppressed: scope.suppressed ?? 0,
    errors: scope.errors ?? 0,
  };
}

/** `Deployment shop/web`, or `ClusterRole admin` for objects without a namespace. */
export function objectLabel(object: ObjectRef): string {
  return `${object.kind} ${object.namespace === null ? '' : `${object.namespace}/`}${object.name}`;
}

/** The file name users see for stdin. */
export const STDIN_FILE = '-';

/**
 * Groups findings that concern the same object in the same file, keeping the order in which each
 * group first appears (the engine's order), so every format lists objects the same way.
 */
export function groupByObject(findings: readonly Finding[]): { object: ObjectRef; file: string; findings: Finding[] }[] {
  const groups = new Map<string, { object: ObjectRef; file: string; findings: Finding[] }>();
  let previous: Finding | undefined;
  let group: { object: ObjectRef; file: string; findings: Finding[] } | undefined;
  for (const finding of findings) {
    // Findings of one object are mostly adjacent; only a change of object needs the key lookup.
    if (group === undefined || previous === undefined || !sameObject(previous, finding)) {
      const key = objectKey(finding);
      group = groups.get(key);
      if (group === undefined) {
        group = { object: finding.object, file: finding.location.file, findings: [] };
        groups.set(key, group);
      }
    }
    group.findings.push(finding);
    previous = finding;
  }
  return [...groups.values()];
}

/** Whether two findings concern the same object in the same file. */
export function sameObject(a: Finding, b: Finding): boolean {
  return (
    a.location.file === b.location.file &&
    a.object.name === b.object.name &&
    a.object.namespace === b.object.namespace &&
    a.object.kind === b.object.kind &&
    a.object.apiVersion === b.object.apiVersion
  );
}

/**
 * Identity of the object a finding concerns. NUL separates the parts: it cannot occur in a file
 * path or an object name, and the key is built for every finding of large reports, so it must be
 * cheap.
 */
export function objectKey(finding: Finding): string {
  const { object } = finding;
  return `${finding.location.file}\u0000${object.apiVersion}\u0000${object.kind}\u0000${object.namespace ?? '\u0001'}\u0000${object.name}`;
}
