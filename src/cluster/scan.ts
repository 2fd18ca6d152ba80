// `bulwark cluster scan`: read the live objects, then evaluate them exactly as `bulwark scan` does
// (same evaluator, configuration, exceptions, severity overrides and exit codes) with the cluster-only
// controls added as cross-object checks. Findings point at `cluster://<context>` with no line.
import { severityRank, SEVERITIES, type Diagnostic, type Finding, type KubeObject, type PssLevel, type Severity } from '../core/index.ts';
import { knownControlIds, scanControls, selectChecks, selectSetChecks } from '../checks/catalog.ts';
import { loadConfig } from '../config/load.ts';
import { compareFindings } from '../engine/run.ts';
import { parsePssVersion } from '../pss/version.ts';
import type { ScanReport } from '../report/index.ts';
import { createEvaluator, type EvaluationSettings } from '../scan/evaluate.ts';
import { resolve } from 'node:path';
import { clusterChecks, clusterControlIds } from './checks.ts';
import { connect, type ClusterClient, type ConnectOptions } from './client.ts';
import { clusterFile, collectObjects } from './collect.ts';
import { discoverResources } from './discover.ts';
import { encryptionCheck, type EncryptionReport, type EtcdOptions } from './encryption.ts';

export const DEFAULT_EXCLUDED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

export interface ClusterScanRequest extends ConnectOptions {
  /** An already connected client (tests, benchmarks); otherwise one is made from the options. */
  client?: ClusterClient;
  namespace?: string;
  /** Namespaces whose objects get no findings (default DEFAULT_EXCLUDED_NAMESPACES). They are still read: RBAC analysis needs them. */
  excludeNamespaces?: readonly string[];
  /**
   * Also report on the roles and bindings the API server creates itself (labelled
   * `kubernetes.io/bootstrapping: rbac-defaults`): they are the platform's, the same in every cluster.
   */
  includeDefaults?: boolean;
  configPath?: string;
  cwd: string;
  pssLevel?: PssLevel;
  pssVersion?: string;
  failOn?: Severity;
  now: Date;
  toolVersion: string;
  onProgress?: (label: string, done: number, total: number) => void;
  /** Read the raw values from etcd to prove encryption at rest. */
  etcd?: EtcdOptions;
}

export interface ClusterScanOutcome {
  report: ScanReport;
  diagnostics: Diagnostic[];
  exitCode: 0 | 1 | 2;
  context: string;
  /** Resource types read and not readable (coverage gaps). */
  coverage: { listed: string[]; gaps: string[] };
  timings: { connectMs: number; collectMs: number; analysisMs: number };
  /** Objects not reported on: excluded namespaces, and pods or jobs whose controller is reported instead. */
  excluded: number;
  /** What etcd holds, when --etcd-endpoint was given: provider and key per object, plaintext ones. */
  encryption?: EncryptionReport;
}

/** Whether the object is run by a controller that was also read (its findings are the controller's). */
function ownedByListed(object: KubeObject, present: ReadonlySet<string>): boolean {
  const owners = (object.raw['metadata'] as { ownerReferences?: unknown } | undefined)?.ownerReferences;
  if (!Array.isArray(owners)) return false;
  return owners.some((o) => o !== null && typeof o === 'object' && (o as { controller?: unknown }).controller === true && present.has(`${(o as { kind?: unknown }).kind}\u0000${object.namespace}\u0000${(o as { name?: unknown }).name}`));
}

function isPlatformDefault(object: KubeObject): boolean {
  const labels = (object.raw['metadata'] as { labels?: Record<string, unknown> } | undefined)?.labels;
  return labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults' && object.apiVersion.startsWith('rbac.authorization.k8s.io/');
}

export async function runClusterScan(request: ClusterScanRequest): Promise<ClusterScanOutcome> {
  const started = performance.now();
  const client = request.client ?? (await connect(request));
  const file = clusterFile(client.context);
  const { config } = await loadConfig({
    explicitPath: request.configPath === undefined ? undefined : resolve(request.cwd, request.configPath),
    startDir: request.cwd,
    knownControls: new Set([...knownControlIds, ...clusterControlIds]),
    cwd: request.cwd,
  });
  const discovery = await discoverResources(client, file);
  const connected = performance.now();
  const collection = await collectObjects(client, discovery.resources, {
    namespace: request.namespace,
    onProgress: (done, total) => request.onProgress?.('Reading resource types', done, total),
  });
  const collected = performance.now();

  let encryption: EncryptionReport | undefined;
  if (request.etcd !== undefined) {
    const { readEncryptionState } = await import('./encryption.ts');
    encryption = await readEncryptionState(request.etcd);
  }
  const activeClusterChecks = [...clusterChecks, ...(encryption === undefined ? [] : [encryptionCheck(encryption)])].filter((check) => !config.controls.disable.has(check.id));
  const settings: EvaluationSettings = {
    config,
    level: request.pssLevel ?? config.pss.level,
    version: parsePssVersion(request.pssVersion ?? config.pss.version),
    now: request.now.toISOString(),
  };
  const evaluator = createEvaluator(settings, { setChecks: activeClusterChecks, knownControls: new Set([...knownControlIds, ...clusterControlIds]) });
  const unit = evaluator.evaluate({ file, objects: collection.objects, diagnostics: [], read: true });
  const crossObject = evaluator.evaluateSet();

  // Scope: what findings are kept. Objects out of scope were still evaluated (set checks relate them).
  const excludedNamespaces = new Set(request.excludeNamespaces ?? DEFAULT_EXCLUDED_NAMESPACES);
  const present = new Set(collection.objects.map((o) => `${o.kind}\u0000${o.namespace}\u0000${o.name}`));
  const outOfScope = new Set<string>();
  for (const object of collection.objects) {
    // A Namespace object belongs to the namespace it is.
    const namespace = object.kind === 'Namespace' && object.apiVersion === 'v1' ? object.name : object.namespace;
    const inScope = request.namespace !== undefined ? namespace === request.namespace : namespace === null || !excludedNamespaces.has(namespace);
    const skipped = !inScope || ownedByListed(object, present) || (!request.includeDefaults && isPlatformDefault(object));
    if (skipped) outOfScope.add(`${object.kind}\u0000${object.namespace}\u0000${object.name}`);
  }
  const findings: Finding[] = [];
  for (const finding of [...unit.findings, ...crossObject.findings]) {
    if (!outOfScope.has(`${finding.object.kind}\u0000${finding.object.namespace}\u0000${finding.object.name}`)) findings.push(finding);
  }
  for (const finding of evaluator.suppressor.expired()) findings.push(finding);
  findings.sort(compareFindings);
  const analysed = performance.now();

  const diagnostics = [...discovery.diagnostics, ...collection.diagnostics, ...evaluator.suppressor.diagnostics()];
  const errors = diagnostics.filter((d) => d.level === 'error').length;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) bySeverity[finding.severity]++;
  const report: ScanReport = {
    tool: { name: 'bulwark', version: request.toolVersion },
    findings,
    controls: [...selectChecks(settings.level, config.controls.disable), ...selectSetChecks(config.controls.disable), ...activeClusterChecks, ...scanControls],
    summary: { objects: collection.objects.length - outOfScope.size, files: 1, findings: findings.length, bySeverity, suppressed: unit.suppressed + crossObject.suppressed, errors },
  };
  const failOn = request.failOn ?? config.failOn;
  let exitCode: 0 | 1 | 2 = 0;
  if (errors > 0) exitCode = 2;
  else if (failOn !== undefined && findings.some((f) => severityRank(f.severity) >= severityRank(failOn))) exitCode = 1;
  return {
    report,
    diagnostics,
    exitCode,
    context: client.context,
    coverage: { listed: collection.listed, gaps: collection.gaps },
    timings: { connectMs: connected - started, collectMs: collected - connected, analysisMs: analysed - collected },
    excluded: outOfScope.size,
    encryption,
  };
}
