import type { Finding, Frameworks } from '../core/index.ts';
import { batched, indentedJson, joinParts, jsonNumber } from './chunks.ts';
import { SEVERITIES_DESCENDING, type ScanReport, type ScanSummary } from './model.ts';

/** Bumped only when a consumer of `--format json` would have to change. */
export const JSON_SCHEMA_VERSION = '1';

/** DESIGN.md §3, 2-space indented, ending with a newline. */
export function formatJson(report: ScanReport): string {
  return joinParts(jsonParts(report));
}

/** The same text as `formatJson`, in pieces of about 64 KiB. */
export function jsonChunks(report: ScanReport): Generator<string> {
  return batched(jsonParts(report));
}

/**
 * Byte for byte what `JSON.stringify(jsonDocument(report), null, 2)` writes (a test holds it to
 * that), built from pieces: the part of a finding that comes from its control is serialised once
 * per control instead of once per finding, which makes large reports several times faster.
 */
function* jsonParts(report: ScanReport): Generator<string> {
  const q = JSON.stringify;
  yield `{\n  "schemaVersion": ${q(JSON_SCHEMA_VERSION)},\n  "tool": {\n    "name": ${q(report.tool.name)},\n    "version": ${q(report.tool.version)}\n  },\n  "findings": [`;
  const heads = new Map<Frameworks, Map<string, string>>();
  const tails = new Map<string, string>();
  let separator = '\n';
  for (const finding of report.findings) {
    const { object, location } = finding;
    yield separator +
      findingHead(finding, heads) +
      `      "object": {\n        "apiVersion": ${q(object.apiVersion)},\n        "kind": ${q(object.kind)},\n        "namespace": ${q(object.namespace)},\n        "name": ${q(object.name)}\n      },\n` +
      `      "location": {\n        "file": ${q(location.file)},\n        "line": ${jsonNumber(location.line)},\n        "column": ${jsonNumber(location.column)},\n        "path": ${q(location.path)}\n      },\n` +
      `      "message": ${q(finding.message)},\n` +
      findingTail(finding.remediation, tails);
    separator = ',\n';
  }
  yield report.findings.length === 0 ? '],\n' : '\n  ],\n';
  yield `  "summary": ${indentedJson(jsonSummary(report.summary), 2)}\n}\n`;
}

/** `{ control … frameworks }`, shared by every finding of the same control and severity. */
function findingHead(finding: Finding, cache: Map<Frameworks, Map<string, string>>): string {
  let byControl = cache.get(finding.frameworks);
  if (byControl === undefined) {
    byControl = new Map();
    cache.set(finding.frameworks, byControl);
  }
  const key = JSON.stringify([finding.control, finding.title, finding.severity, finding.area]);
  let head = byControl.get(key);
  if (head === undefined) {
    head =
      `    {\n      "control": ${JSON.stringify(finding.control)},\n      "title": ${JSON.stringify(finding.title)},\n` +
      `      "severity": ${JSON.stringify(finding.severity)},\n      "area": ${JSON.stringify(finding.area)},\n` +
      `      "frameworks": ${indentedJson(jsonFrameworks(finding.frameworks), 6)},\n`;
    byControl.set(key, head);
  }
  return head;
}

function findingTail(remediation: string, cache: Map<string, string>): string {
  let tail = cache.get(remediation);
  if (tail === undefined) {
    tail = `      "remediation": ${JSON.stringify(remediation)}\n    }`;
    cache.set(remediation, tail);
  }
  return tail;
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
