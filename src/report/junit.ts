import { severityRank, type Control, type Finding, type ObjectRef } from '../core/index.ts';
import { CHUNK_SIZE, joinParts } from './chunks.ts';
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
  return joinParts(junitChunks(report));
}

/** The same text as `formatJunit`, in pieces of about `CHUNK_SIZE` characters. */
export function* junitChunks(report: ScanReport): Generator<string> {
  // The root element carries totals, so the suites are grouped before anything is written.
  const suites = suitesOf(report);
  const { errors } = report.summary;
  let tests = errors > 0 ? 1 : 0;
  let failures = 0;
  for (const suite of suites) {
    tests += Math.max(suite.cases.length, 1);
    failures += suite.cases.length;
  }
  let pending =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="bulwark" tests="${tests}" failures="${failures}" errors="${errors > 0 ? 1 : 0}">\n`;
  for (const suite of suites) {
    const { control, cases } = suite;
    const classname = escapeAttribute(`bulwark.${control.area}.${control.id}`);
    const name = escapeAttribute(`${control.id}: ${control.title}`);
    pending += `  <testsuite name="${name}" tests="${Math.max(cases.length, 1)}" failures="${cases.length}" errors="0" skipped="0">\n`;
    if (cases.length === 0) pending += `    <testcase name="all scanned objects" classname="${classname}"/>\n`;
    for (const testCase of cases) {
      pending += failingCase(testCase, classname);
      if (pending.length >= CHUNK_SIZE) {
        yield pending;
        pending = '';
      }
    }
    pending += '  </testsuite>\n';
  }
  if (errors > 0) {
    pending +=
      '  <testsuite name="bulwark: inputs" tests="1" failures="0" errors="1" skipped="0">\n' +
      '    <testcase name="read and parse every input" classname="bulwark.input">\n' +
      `      <error message="${errors} input${errors === 1 ? '' : 's'} could not be read or parsed; the scan log names each file and line" type="input"/>\n` +
      '    </testcase>\n' +
      '  </testsuite>\n';
  }
  yield `${pending}</testsuites>\n`;
}

interface Suite {
  control: Control;
  /** Per object, its findings of this control; in the order objects first appear. */
  cases: Case[];
}

interface Case {
  object: ObjectText;
  findings: Finding[];
}

/** What every case about one object writes, escaped once however many controls the object fails. */
interface ObjectText {
  /** The `name` attribute's value: `Deployment shop/web in web.yaml`. */
  name: string;
  /** ` file="web.yaml"`, or nothing for stdin. */
  fileAttribute: string;
  /** The file as the failure text names it. */
  file: string;
  stdin: boolean;
}

/**
 * The controls that ran, in their order, then any control only findings name (a user policy).
 * Findings are walked object by object (they arrive that way), so a case is found among the
 * current object's cases rather than by a lookup keyed by object for every finding.
 */
function suitesOf(report: ScanReport): Suite[] {
  const suites = new Map<string, Suite>();
  for (const control of report.controls) {
    if (!suites.has(control.id)) suites.set(control.id, { control, cases: [] });
  }
  for (const group of groupByObject(report.findings)) {
    const object = objectText(group.object, group.file);
    // An object fails a handful of controls: a scan of its cases beats a map per object.
    const cases: Case[] = [];
    for (const finding of group.findings) {
      const existing = cases.find((each) => (each.findings[0] as Finding).control === finding.control);
      if (existing !== undefined) {
        existing.findings.push(finding);
        continue;
      }
      const created: Case = { object, findings: [finding] };
      cases.push(created);
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

function objectText(object: ObjectRef, file: string): ObjectText {
  const stdin = file === STDIN_FILE;
  return {
    name: escapeAttribute(`${objectLabel(object)} in ${stdin ? 'standard input' : file}`),
    fileAttribute: stdin ? '' : ` file="${escapeAttribute(file)}"`,
    file: escapeText(stdin ? '<stdin>' : file),
    stdin,
  };
}

/**
 * `classname` arrives escaped: it is the same for every case of a suite. The failure text is
 * escaped piece by piece; pieces are always separated by ASCII, so this escapes exactly as the
 * joined text would be.
 */
function failingCase({ object, findings }: Case, classname: string): string {
  const first = findings[0] as Finding;
  const { line: at } = first.location;
  const line = !object.stdin && Number.isSafeInteger(at) && at >= 1 ? ` line="${at}"` : '';
  const message = findings.length === 1 ? first.message : `${findings.length} findings, first: ${first.message}`;
  let out = `    <testcase name="${object.name}" classname="${classname}"${object.fileAttribute}${line}>\n`;
  out += `      <failure message="${escapeAttribute(message)}" type="${escapeAttribute(worstSeverity(findings))}">`;
  for (let index = 0; index < findings.length; index++) {
    const finding = findings[index] as Finding;
    const { location } = finding;
    if (index > 0) out += '\n\n';
    out += `[${escapeText(finding.severity)}] ${object.file}:${location.line}:${location.column}`;
    if (location.path !== '') out += ` ${escapeText(location.path)}`;
    out += `\n${escapeText(finding.message)}\nRemediation: ${escapeText(finding.remediation)}`;
  }
  return `${out}</failure>\n    </testcase>\n`;
}

function worstSeverity(findings: readonly Finding[]): string {
  let worst = (findings[0] as Finding).severity;
  for (const finding of findings) if (severityRank(finding.severity) > severityRank(worst)) worst = finding.severity;
  return worst;
}
