import type { Finding, Frameworks } from '../core/index.ts';
import { findingPieces, indentedJson, joinParts, jsonNumber, WIDE_CHARACTER as WIDE, type FindingLineWriter } from './chunks.ts';
import { sameObject, SEVERITIES_DESCENDING, type ScanReport, type ScanSummary } from './model.ts';

/** Bumped only when a consumer of `--format json` would have to change. */
export const JSON_SCHEMA_VERSION = '1';

/**
 * DESIGN.md §3, ending with a newline. The envelope is indented for reading; findings, which can
 * number in the tens of thousands, are one compact line each, exactly as `JSON.stringify` writes
 * them: 30% smaller than indenting every finding, and still greppable and diffable per finding.
 */
export function formatJson(report: ScanReport): string {
  return joinParts(jsonChunks(report));
}

/** The same text as `formatJson`, in pieces of about `CHUNK_SIZE` characters. */
export function* jsonChunks(report: ScanReport): Generator<string> {
  const tool = { name: report.tool.name, version: report.tool.version };
  const head = `{\n  "schemaVersion": ${JSON.stringify(JSON_SCHEMA_VERSION)},\n  "tool": ${indentedJson(tool, 2)},\n  "findings": [`;
  const { rest, any } = yield* findingPieces(head, report.findings, new FindingLines());
  yield `${rest}${any ? '\n  ],\n' : '],\n'}  "summary": ${indentedJson(jsonSummary(report.summary), 2)}\n}\n`;
}

/** What every finding of one control shares, serialised once. */
interface ControlText {
  title: string;
  severity: Finding['severity'];
  area: Finding['area'];
  frameworks: Frameworks;
  remediation: string;
  /** `,\n    {"control":…,"frameworks":{…},"object":` */
  head: string;
  /** `,"remediation":…}` */
  tail: string;
  /** Whether head or tail holds a character beyond Latin-1. */
  wide: boolean;
}


/**
 * Writes `,\n    ` and one finding as `JSON.stringify(jsonFinding(finding))` would (a test holds it
 * to that), from parts serialised once: per control (a severity override or a policy reusing an id
 * gets its own), and per object, whose findings arrive one after another.
 *
 * The line is built by appending one piece at a time, which V8 keeps as a list of pieces that the
 * writer copies out in one pass. Serialising a fresh object per finding with `JSON.stringify`
 * measured twice as slow on a report of 19,000 findings.
 */
class FindingLines implements FindingLineWriter {
  readonly #controls = new Map<string, ControlText>();
  #previous: Finding | undefined;
  /** `{"apiVersion":…,"name":…},"location":{"file":…,"line":` for the previous finding's object. */
  #objectText = '';
  #objectWide = false;
  /** Whether the line `next` returned last holds a character beyond Latin-1. */
  wide = false;

  next(finding: Finding): string {
    const control = this.#controlText(finding);
    const { location } = finding;
    if (this.#previous === undefined || !sameObject(this.#previous, finding)) {
      const { apiVersion, kind, namespace, name } = finding.object;
      const q = JSON.stringify;
      this.#objectText = `{"apiVersion":${q(apiVersion)},"kind":${q(kind)},"namespace":${q(namespace)},"name":${q(name)}},"location":{"file":${q(location.file)},"line":`;
      this.#objectWide = WIDE.test(this.#objectText);
    }
    this.#previous = finding;
    // Tested on its JSON text: a message is often still the concatenation it was built as, which a
    // regular expression would first copy into one string, and JSON.stringify writes a new one anyway.
    const message = JSON.stringify(finding.message);
    this.wide = control.wide || this.#objectWide || WIDE.test(message) || WIDE.test(location.path);
    return (
      control.head +
      this.#objectText +
      jsonNumber(location.line) +
      ',"column":' +
      jsonNumber(location.column) +
      ',"path":' +
      JSON.stringify(location.path) +
      '},"message":' +
      message +
      control.tail
    );
  }

  #controlText(finding: Finding): ControlText {
    const cached = this.#controls.get(finding.control);
    if (
      cached !== undefined &&
      cached.severity === finding.severity &&
      cached.frameworks === finding.frameworks &&
      cached.title === finding.title &&
      cached.area === finding.area &&
      cached.remediation === finding.remediation
    ) {
      return cached;
    }
    const q = JSON.stringify;
    const text: ControlText = {
      title: finding.title,
      severity: finding.severity,
      area: finding.area,
      frameworks: finding.frameworks,
      remediation: finding.remediation,
      head: `,\n    {"control":${q(finding.control)},"title":${q(finding.title)},"severity":${q(finding.severity)},"area":${q(finding.area)},"frameworks":${q(jsonFrameworks(finding.frameworks))},"object":`,
      tail: `,"remediation":${q(finding.remediation)}}`,
      wide: false,
    };
    text.wide = WIDE.test(text.head) || WIDE.test(text.tail);
    // The latest variant replaces the previous one: variants of one control are rare, and
    // alternating between them only costs serialising the head again.
    this.#controls.set(finding.control, text);
    return text;
  }
}

/** The documented shape of one finding, keys in the documented order. */
export function jsonFinding(finding: Finding): object {
  return {
    control: finding.control,
    title: finding.title,
    severity: finding.severity,
    area: finding.area,
    frameworks: jsonFrameworks(finding.frameworks),
    object: {
      apiVersion: finding.object.apiVersion,
      kind: finding.object.kind,
      namespace: finding.object.namespace,
      name: finding.object.name,
    },
    location: {
      file: finding.location.file,
      line: finding.location.line,
      column: finding.location.column,
      path: finding.location.path,
    },
    message: finding.message,
    remediation: finding.remediation,
  };
}

/** The whole document as a value, in the documented key order. */
export function jsonDocument(report: ScanReport): object {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: report.tool.name, version: report.tool.version },
    findings: report.findings.map(jsonFinding),
    summary: jsonSummary(report.summary),
  };
}

/** Keys in the documented order, each only where it applies (an empty id list does not apply). */
export function jsonFrameworks(frameworks: Frameworks): Frameworks {
  const out: { -readonly [K in keyof Frameworks]: Frameworks[K] } = {};
  if (frameworks.pss !== undefined) out.pss = frameworks.pss;
  if (frameworks.cis !== undefined && frameworks.cis.length > 0) out.cis = [...frameworks.cis];
  if (frameworks.nsa !== undefined && frameworks.nsa.length > 0) out.nsa = [...frameworks.nsa];
  if (frameworks.mitre !== undefined && frameworks.mitre.length > 0) out.mitre = [...frameworks.mitre];
  if (frameworks.kubescape !== undefined && frameworks.kubescape.length > 0) out.kubescape = [...frameworks.kubescape];
  return out;
}

/** Counts per severity, most severe first. */
function jsonSummary(summary: ScanSummary): object {
  const bySeverity: Record<string, number> = {};
  for (const severity of SEVERITIES_DESCENDING) bySeverity[severity] = summary.bySeverity[severity] ?? 0;
  return {
    objects: summary.objects,
    files: summary.files,
    findings: summary.findings,
    bySeverity,
    suppressed: summary.suppressed,
    errors: summary.errors,
  };
}
