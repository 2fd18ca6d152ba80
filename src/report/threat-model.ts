// `bulwark scan --threat-model`: per workload reachable from outside the cluster, what exposes it, what
// it runs as, what its identity may do, each step with the findings that make it possible. A view of
// the scan, not a report format: the JSON report contract is untouched; this has its own document.
import type { Finding, KubeObject, ObjectRef, Severity } from '../core/index.ts';
import { BulwarkError, objectRef, severityRank } from '../core/index.ts';
import { joinParts } from './chunks.ts';

/** What the threat model reads from a scan (src/checks/develop/threat-model.ts produces it). */
export interface ThreatPathInput {
  readonly workload: KubeObject;
  readonly exposures: readonly { readonly via: string; readonly object: KubeObject }[];
  readonly hostAccess: readonly { readonly what: string }[];
  readonly user: string;
  readonly identity: {
    readonly namespace: string | null;
    readonly serviceAccount: string;
    readonly tokenMounted: boolean;
    readonly grants: readonly { readonly label: string; readonly detail: string; readonly scope: string; readonly via: string; readonly objects: readonly ObjectRef[] }[];
  };
  readonly objects: { readonly exposure: readonly ObjectRef[]; readonly workload: ObjectRef; readonly identity: readonly ObjectRef[] };
  /** Workloads it can open connections to under the scanned NetworkPolicies, with their ports. */
  readonly reaches?: readonly { readonly workload: ObjectRef; readonly ports: readonly string[] }[];
}

export interface FindingReference {
  control: string;
  severity: Severity;
  object: ObjectRef;
  location: Finding['location'];
  message: string;
}

export interface ThreatPathView {
  workload: ObjectRef;
  location: { file: string; line: number; column: number };
  /** True when the path goes beyond the pod: to the node, or to the cluster through the API. */
  dangerous: boolean;
  exposure: { via: string; object: ObjectRef; findings: FindingReference[] }[];
  runsAs: { user: string; hostAccess: string[]; findings: FindingReference[] };
  identity: {
    serviceAccount: string;
    tokenMounted: boolean;
    may: { what: string; detail: string; scope: string; via: string }[];
    findings: FindingReference[];
  };
  /** What a compromise of the pod reaches next over the network (NetworkPolicy applied), with the ports. */
  reaches: { workload: ObjectRef; ports: string[] }[];
}

export interface ThreatModel {
  schemaVersion: '1';
  tool: { name: 'bulwark'; version: string };
  paths: ThreatPathView[];
  summary: { exposed: number; dangerous: number };
}

function key(object: ObjectRef, file: string): string {
  return `${file}\u0000${object.kind}\u0000${object.namespace ?? '\u0001'}\u0000${object.name}`;
}

function reference(finding: Finding): FindingReference {
  return { control: finding.control, severity: finding.severity, object: finding.object, location: finding.location, message: finding.message };
}

function bySeverity(a: FindingReference, b: FindingReference): number {
  return severityRank(b.severity) - severityRank(a.severity) || (a.control < b.control ? -1 : a.control > b.control ? 1 : 0);
}

/**
 * Joins the paths with the scan's findings, per step: findings on the exposing objects, on the
 * workload, and on the bindings and roles behind its identity. Dangerous paths first, then scan order.
 */
export function buildThreatModel(paths: readonly ThreatPathInput[], findings: readonly Finding[], toolVersion: string): ThreatModel {
  // Findings name objects by reference and file; identity objects (roles, bindings) by reference only.
  const byObject = new Map<string, Finding[]>();
  const byRef = new Map<string, Finding[]>();
  for (const finding of findings) {
    for (const [map, k] of [
      [byObject, key(finding.object, finding.location.file)],
      [byRef, key(finding.object, '')],
    ] as const) {
      let list = map.get(k);
      if (list === undefined) map.set(k, (list = []));
      list.push(finding);
    }
  }
  const on = (object: KubeObject) => (byObject.get(key(objectRef(object), object.source.file)) ?? []).map(reference);
  const identityControls = new Set(['rbac-workload-identity']);
  const views = paths.map((path): ThreatPathView => {
    const workloadFindings = on(path.workload);
    const identityObjects = new Map(path.objects.identity.map((ref) => [key(ref, ''), ref]));
    const identityFindings = [
      ...workloadFindings.filter((finding) => identityControls.has(finding.control)),
      ...[...identityObjects.keys()].flatMap((k) => (byRef.get(k) ?? []).map(reference)),
    ];
    const dangerous = path.hostAccess.length > 0 || (path.identity.tokenMounted && path.identity.grants.length > 0);
    return {
      workload: objectRef(path.workload),
      location: { file: path.workload.source.file, line: path.workload.source.line, column: path.workload.source.column },
      dangerous,
      exposure: path.exposures.map((exposure) => ({ via: exposure.via, object: objectRef(exposure.object), findings: on(exposure.object).sort(bySeverity) })),
      runsAs: {
        user: path.user,
        hostAccess: path.hostAccess.map((access) => access.what),
        findings: workloadFindings.filter((finding) => !identityControls.has(finding.control)).sort(bySeverity),
      },
      identity: {
        serviceAccount: `${path.identity.namespace ?? '(unset)'}/${path.identity.serviceAccount}`,
        tokenMounted: path.identity.tokenMounted,
        may: path.identity.grants.map((grant) => ({ what: grant.label, detail: grant.detail, scope: grant.scope, via: grant.via })),
        findings: identityFindings.sort(bySeverity),
      },
      reaches: (path.reaches ?? []).map((reach) => ({ workload: reach.workload, ports: [...reach.ports] })),
    };
  });
  views.sort((a, b) => Number(b.dangerous) - Number(a.dangerous));
  return {
    schemaVersion: '1',
    tool: { name: 'bulwark', version: toolVersion },
    paths: views,
    summary: { exposed: views.length, dangerous: views.filter((view) => view.dangerous).length },
  };
}

/** The JSON document: one line per path, as the report puts one finding per line. */
export function* threatModelJsonChunks(model: ThreatModel): Iterable<string> {
  yield `{"schemaVersion":"1","tool":${JSON.stringify(model.tool)},"paths":[`;
  let first = true;
  for (const path of model.paths) {
    yield `${first ? '' : ','}\n${JSON.stringify(path)}`;
    first = false;
  }
  yield `${model.paths.length > 0 ? '\n' : ''}],"summary":${JSON.stringify(model.summary)}}\n`;
}

function objectText(object: ObjectRef): string {
  return `${object.kind} ${object.namespace === null ? '' : `${object.namespace}/`}${object.name}`;
}

function findingLines(findings: readonly FindingReference[], indent: string, max = 5): string[] {
  const lines = findings.slice(0, max).map((finding) => `${indent}└ ${finding.severity.padEnd(8)} ${finding.control}: ${finding.message} (${finding.location.file}:${finding.location.line})`);
  if (findings.length > max) lines.push(`${indent}└ … ${findings.length - max} more`);
  return lines;
}

/** The terminal view: one block per exposed workload, each step followed by its findings. */
export function* threatModelTextChunks(model: ThreatModel): Iterable<string> {
  if (model.paths.length === 0) {
    yield 'Threat model: no workload in the scanned set is reachable from outside the cluster.\n';
    return;
  }
  yield `Threat model: ${model.summary.exposed} workload${model.summary.exposed === 1 ? '' : 's'} reachable from outside the cluster, ${model.summary.dangerous} of them reaching the node or the cluster API.\n`;
  const pad = '            ';
  for (const path of model.paths) {
    const lines: string[] = ['', `${path.dangerous ? '!' : '-'} ${objectText(path.workload)}  (${path.location.file}:${path.location.line})`];
    path.exposure.forEach((exposure, index) => {
      lines.push(`${index === 0 ? '  exposed   ' : pad}${exposure.via}`);
      lines.push(...findingLines(exposure.findings, pad));
    });
    const host = path.runsAs.hostAccess.length > 0 ? `; ${path.runsAs.hostAccess.join('; ')}` : '; no host access';
    lines.push(`  runs as   ${path.runsAs.user}${host}`);
    lines.push(...findingLines(path.runsAs.findings, pad));
    const identity = path.identity;
    if (!identity.tokenMounted) lines.push(`  identity  ServiceAccount ${identity.serviceAccount}, token not mounted`);
    else if (identity.may.length === 0) lines.push(`  identity  ServiceAccount ${identity.serviceAccount}: no risky permission in the scanned RBAC`);
    else {
      lines.push(`  identity  ServiceAccount ${identity.serviceAccount} (token mounted) may:`);
      for (const grant of identity.may) lines.push(`${pad}${grant.what} — ${grant.detail} ${grant.scope} (${grant.via})`);
    }
    lines.push(...findingLines(identity.findings, pad));
    if (path.reaches.length > 0) {
      const shown = path.reaches.slice(0, 5).map((reach) => `${objectText(reach.workload)} (${reach.ports.join(', ')})`);
      lines.push(`  reaches   ${shown.join(', ')}${path.reaches.length > 5 ? ` and ${path.reaches.length - 5} more` : ''}`);
    }
    yield `${lines.join('\n')}\n`;
  }
}

/** The threat model's rendering for a `--format`: text for `table`, its JSON document for `json`. */
export function threatModelFormat(format: string): 'text' | 'json' {
  if (format === 'table') return 'text';
  if (format === 'json') return 'json';
  throw new BulwarkError('E_USAGE', `--threat-model prints text or JSON: use --format table or --format json, not ${JSON.stringify(format)}`);
}

export function threatModelChunks(model: ThreatModel, format: 'text' | 'json'): Iterable<string> {
  return format === 'json' ? threatModelJsonChunks(model) : threatModelTextChunks(model);
}

export function formatThreatModel(model: ThreatModel, format: 'text' | 'json'): string {
  return joinParts(threatModelChunks(model, format));
}
