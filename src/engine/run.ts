import { createPathFormatter, detach, objectRef, type Diagnostic, type FieldPath, type Finding, type KubeObject, type ObjectRef } from '../core/index.ts';
import type { Check, CheckContext, ObjectSet, ScanSettings, SetCheck, Violation } from '../checks/check.ts';
import { podViews } from '../podspec/index.ts';

/** Decides, per finding, whether an exception hides it; returns true to suppress. */
export type SuppressFn = (object: KubeObject, finding: Finding) => boolean;

export interface RunOptions {
  settings: ScanSettings;
  /** Applied before suppression, so exceptions see the severity the user will see. */
  adjust?: (finding: Finding) => Finding;
  suppress?: SuppressFn;
}

export interface RunResult {
  /** Deterministic: file, line, column, control id, message. */
  findings: Finding[];
  suppressed: number;
  /** What checks could not decide (CheckContext.inconclusive), as warnings at the field. */
  diagnostics: Diagnostic[];
}

/**
 * The one evaluation loop shared by `scan`, `cluster scan` and the admission webhook: every object's
 * pod templates are normalised once, then every selected check runs on that view.
 */
export function runChecks(objects: readonly KubeObject[], checks: readonly Check[], options: RunOptions): RunResult {
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [];
  let suppressed = 0;
  // One function for the whole run (not one per object), reading which object and check are running.
  let currentObject: KubeObject | undefined;
  let currentCheck: Check | undefined;
  const inconclusive = (path: FieldPath, message: string): void => {
    if (currentObject !== undefined && currentCheck !== undefined) diagnostics.push(inconclusiveDiagnostic(currentObject, currentCheck, path, message));
  };
  for (const object of objects) {
    const context: CheckContext = { object, pods: podViews(object.raw), settings: options.settings, inconclusive };
    currentObject = object;
    let ref: ObjectRef | undefined; // shared by the object's findings
    for (let c = 0; c < checks.length; c++) {
      const check = checks[c]!;
      currentCheck = check;
      const found = check.evaluate(context);
      // Nearly every check returns an array, most often the shared empty one. `for…of` would
      // allocate an iterator and a result object per object and check (over 100 MB on the 10,000
      // object benchmark with the full catalog); indexing allocates nothing. Generators still work.
      if (Array.isArray(found)) {
        const violations = found as readonly Violation[];
        for (let v = 0; v < violations.length; v++) {
          const finding = toFinding(check, object, (ref ??= objectRef(object)), violations[v]!, options);
          if (finding === null) suppressed++;
          else findings.push(finding);
        }
        continue;
      }
      for (const violation of found) {
        const finding = toFinding(check, object, (ref ??= objectRef(object)), violation, options);
        if (finding === null) suppressed++;
        else findings.push(finding);
      }
    }
  }
  findings.sort(compareFindings);
  return { findings, suppressed, diagnostics };
}

function inconclusiveDiagnostic(object: KubeObject, check: Check, path: FieldPath, message: string): Diagnostic {
  const at = object.positions.locate(path);
  const location = at.line > 0 ? { file: object.source.file, line: at.line, column: at.column } : { file: object.source.file };
  return { level: 'warning', code: 'E_TOO_LARGE', message: `${check.id} on ${object.kind} ${object.name}: ${message}`, location };
}

/**
 * The cross-object pass: each set check sees every object the scan kept. Findings are built and
 * suppressed exactly as per-object ones are, so exceptions and overrides apply alike.
 */
export function runSetChecks(set: ObjectSet, checks: readonly SetCheck[], options: RunOptions): RunResult {
  const findings: Finding[] = [];
  let suppressed = 0;
  const refs = new Map<KubeObject, ObjectRef>();
  for (const check of checks) {
    for (const violation of check.evaluateSet(set, options.settings)) {
      const { object } = violation;
      let ref = refs.get(object);
      if (ref === undefined) refs.set(object, (ref = objectRef(object)));
      const finding = toFinding(check, object, ref, violation, options);
      if (finding === null) suppressed++;
      else findings.push(finding);
    }
  }
  findings.sort(compareFindings);
  return { findings, suppressed, diagnostics: [] };
}

// Shared by every run of this process: the texts are immutable and the tree is bounded.
const pathText = createPathFormatter();

/** The finding a violation becomes, or null when an exception suppresses it. */
function toFinding(
  check: Check | SetCheck,
  object: KubeObject,
  ref: ObjectRef,
  violation: Violation,
  options: RunOptions,
): Finding | null {
  const at = object.positions.locate(violation.path);
  let finding: Finding = {
    control: check.id,
    title: check.title,
    severity: check.severity,
    area: check.area,
    frameworks: check.frameworks,
    object: ref,
    location: { file: object.source.file, line: at.line, column: at.column, path: pathText(violation.path) },
    // Flat now, while the parts are young: a finding lives until the report is written.
    message: detach(violation.message),
    remediation: check.remediation,
  };
  if (options.adjust) finding = options.adjust(finding);
  return options.suppress?.(object, finding) ? null : finding;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.location.file, b.location.file) ||
    a.location.line - b.location.line ||
    a.location.column - b.location.column ||
    compareText(a.control, b.control) ||
    compareText(a.location.path, b.location.path) ||
    compareText(a.message, b.message)
  );
}

// Locale-independent so that output is byte-identical on every machine.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
