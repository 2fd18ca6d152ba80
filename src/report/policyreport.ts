// `--format policyreport`: the findings as wgpolicyk8s.io/v1alpha2 PolicyReport objects (one per
// namespace) and one ClusterPolicyReport (cluster-scoped objects), in a v1 List that `kubectl apply`
// accepts and that policy-report dashboards already read. Each finding is one `fail` result (an
// `info` finding is a `warn`); the control is the policy, the field path a property.
import type { Finding } from '../core/index.ts';
import { CHUNK_SIZE } from './chunks.ts';
import type { ScanReport } from './model.ts';

export const POLICY_REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2';

interface Summary {
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skip: number;
}

function result(finding: Finding, source: string): Record<string, unknown> {
  const { object } = finding;
  return {
    source,
    policy: finding.control,
    category: finding.area,
    severity: finding.severity,
    result: finding.severity === 'info' ? 'warn' : 'fail',
    scored: true,
    message: finding.message,
    resources: [{ apiVersion: object.apiVersion, kind: object.kind, ...(object.namespace === null ? {} : { namespace: object.namespace }), name: object.name }],
    properties: { title: finding.title, path: finding.location.path, location: finding.location.file },
  };
}

/** Report names are DNS subdomains: lower case, at most 253 characters. */
function reportName(namespace: string | null): string {
  return namespace === null ? 'bulwark-cluster' : `bulwark-${namespace}`.slice(0, 253);
}

export function* policyReportChunks(report: ScanReport): Generator<string> {
  const source = report.tool.name;
  // Namespaces in sorted order, cluster-scoped last, so the output is stable.
  const groups = new Map<string | null, Finding[]>();
  for (const finding of report.findings) {
    const key = finding.object.namespace;
    let list = groups.get(key);
    if (list === undefined) groups.set(key, (list = []));
    list.push(finding);
  }
  const keys = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
  let pending = `{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": [`;
  for (let i = 0; i < keys.length; i++) {
    const namespace = keys[i]!;
    const findings = groups.get(namespace)!;
    const summary: Summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    for (const finding of findings) summary[finding.severity === 'info' ? 'warn' : 'fail']++;
    const head = {
      apiVersion: POLICY_REPORT_API_VERSION,
      kind: namespace === null ? 'ClusterPolicyReport' : 'PolicyReport',
      metadata: {
        name: reportName(namespace),
        ...(namespace === null ? {} : { namespace }),
        labels: { 'app.kubernetes.io/managed-by': 'bulwark', 'app.kubernetes.io/version': report.tool.version },
      },
      summary,
    };
    pending += `${i === 0 ? '' : ','}\n    ${JSON.stringify(head).slice(0, -1)},"results":[`;
    for (let j = 0; j < findings.length; j++) {
      pending += `${j === 0 ? '' : ','}\n      ${JSON.stringify(result(findings[j]!, source))}`;
      if (pending.length >= CHUNK_SIZE) {
        yield pending;
        pending = '';
      }
    }
    pending += '\n    ]}';
  }
  yield `${pending}${keys.length === 0 ? ']' : '\n  ]'}\n}\n`;
}
