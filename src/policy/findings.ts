// Policy violations as Bulwark findings: control `policy/<policy name>`, the severity and area the
// policy's annotations give, the location the validation's fieldPath points at.
import { formatPath, objectRef, type Finding } from '../core/index.ts';
import type { PolicyViolation } from './evaluate.ts';

/** The control id findings of a policy carry. */
export function policyControlId(policyName: string): string {
  return `policy/${policyName}`;
}

export function violationToFinding(violation: PolicyViolation): Finding {
  const { object } = violation;
  const at = object.positions.locate(violation.path);
  return {
    control: policyControlId(violation.policy),
    title: violation.title,
    severity: violation.severity,
    area: violation.area,
    frameworks: {},
    object: objectRef(object),
    location: { file: object.source.file, line: at.line, column: at.column, path: formatPath(violation.path) },
    message: violation.message,
    remediation: violation.remediation,
  };
}

/**
 * One finding per distinct (control, object, location, message): a policy bound twice, or
 * evaluated against several params, reports an identical failure once.
 */
export function violationsToFindings(violations: readonly PolicyViolation[]): Finding[] {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const violation of violations) {
    const finding = violationToFinding(violation);
    const key = JSON.stringify([finding.control, finding.object, finding.location, finding.message]);
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  return findings;
}
