import { severityRank, type Control, type Finding } from '../core/index.ts';
import { batched, joinParts } from './chunks.ts';
import { groupByObject, objectLabel, STDIN_FILE, type ScanReport } from './model.ts';
import { escapeAttribute, escapeText } from './xml.ts';

/**
 * JUnit XML as GitLab, Jenkins and the GitHub test-report actions read it.
 *
 * One test suite per control, one test case per object that fails it. A control is what a team
 * fixes in one go (every privileged container, wherever it is), and CI test views are built to
 * show "this suite has these failing cases". Suites per object would need the list of objects
 * that passed, which a report does not carry; per control, a control that found nothing shows as
 * one passing case, so the report still lists everything that was checked.
 *
 * `classname` is `bulwark.<area>.<control>`, which Jenkins shows as package and class. Test cases
 * carry `file` and `line` attributes, which the GitHub annotation actions read. No times or
 * timestamps: the same scan gives the same bytes.
 */
export function formatJunit(report: ScanReport): string {
  return joinParts(junitParts(report));
}

/** The same text as `formatJunit`, in pieces of about 64 KiB. */
export function junitChunks(report: ScanReport): Generator<string> {
  return batched(junitParts(report));
}

function* junitParts(report: ScanReport): Generator<string> {
  // The root element carries totals, so the suites are grouped before anything is written.
  const suites = suitesOf(report);
  const { errors } = report.summary;
  let tests = errors > 0 ? 1 : 0;
  let failures = 0;
  for (const suite of suites) {
    tests += Math.max(suite.cases.length, 1);
    failures += suite.cases.length;
  }
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="bulwark" tests="${tests}" failures="${failures}" errors="${errors > 0 ? 1 : 0}">\n`;
  for (const suite of suites) {
    const { control, cases } = suite;
    const classname = escapeAttribute(`bulwark.${control.area}.${control.id}`);
    const name = escapeAttribute(`${control.id}: ${control.title}`);
    yield `  <testsuite name="${name}" tests="${Math.max(cases.length, 1)}" failures="${cases.length}" errors="0" skipped="0">\n`;
    if (cases.length === 0) yield `    <testcase name="all scanned objects" classname="${classname}"/>\n`;
    for (const findings of cases) yield testCase(findings, classname);
    yield '  </testsuite>\n';
  }
  if (errors > 0) {
    yield '  <testsuite name="bulwark: inputs" tests="1" failures="0" errors="1" skipped="0">\n' +
      '    <testcase name="read and parse every input" classname="bulwark.input">\n' +
      `      <error message="${errors} input${errors === 1 ? '' : 's'} could not be read or parsed; the scan log names each file and line" type="input"/>\n` +
      '    </testcase>\n' +
      '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}

interface Suite {
  control: Control;
  /** Per object, its findings of this control; in the order objects first appear. */
  cases: Finding[][];
}

/**
 * The controls that ran, in their order, then any control only findings name (a user policy).
 * Findings are walked object by object (they arrive that way), so a case is found with a look at
 * the current object's findings rather than a lookup keyed by object for every finding.
 */
function suitesOf(report: ScanReport): Suite[] {
  const suites = new Map<string, Suite>();
  for (const control of report.controls) {
    if (!suites.has(control.id)) suites.set(control.id, { control, cases: [] });
  }
  for (const group of groupByObject(report.findings)) {
    const byControl = new Map<string, Finding[]>();
    for (const finding of group.findings) {
      const findings = byControl.get(finding.control);
      if (findings !== undefined) {
        findings.push(finding);
        continue;
      }
      const created = [finding];
      byControl.set(finding.control, created);
      let suite = suites.get(finding.control);
      if (suite === undefined) {
        const control: Control = { ...finding, id: finding.control, description: finding.title };
        suite = { control, cases: [] };
        suites.set(finding.control, suite);
      }
      suite.cases.push(created);
    }
  }
  return [...suites.values()];
}

/** `classname` arrives escaped: it is the same for every case of a suite. */
function testCase(findings: readonly Finding[], classname: string): string {
  const first = findings[0] as Finding;
  const file = first.location.file;
  const stdin = file === STDIN_FILE;
  const name = `${objectLabel(first.object)} in ${stdin ? 'standard input' : file}`;
  const { line: at } = first.location;
  const line = !stdin && Number.isSafeInteger(at) && at >= 1 ? ` line="${at}"` : '';
  const message =
    findings.length === 1 ? first.message : `${findings.length} findings, first: ${first.message}`;
  const details = findings
    .map((finding) => {
      const file = finding.location.file === STDIN_FILE ? '<stdin>' : finding.location.file;
      const at = `${file}:${finding.location.line}:${finding.location.column}`;
      const path = finding.location.path === '' ? '' : ` ${finding.location.path}`;
      return `[${finding.severity}] ${at}${path}\n${finding.message}\nRemediation: ${finding.remediation}`;
    })
    .join('\n\n');
  return (
    `    <testcase name="${escapeAttribute(name)}" classname="${classname}"${stdin ? '' : ` file="${escapeAttribute(file)}"`}${line}>\n` +
    `      <failure message="${escapeAttribute(message)}" type="${escapeAttribute(worstSeverity(findings))}">${escapeText(details)}</failure>\n` +
    '    </testcase>\n'
  );
}

function worstSeverity(findings: readonly Finding[]): string {
  let worst = (findings[0] as Finding).severity;
  for (const finding of findings) if (severityRank(finding.severity) > severityRank(worst)) worst = finding.severity;
  return worst;
}
