// `bulwark cluster scan`: read the live objects, then evaluate them exactly as `bulwark scan` does
// (same evaluator, configuration, exceptions, severity overrides and exit codes) with the cluster-only
// controls added as cross-object checks. Findings point at `cluster://<context>` with no line.
import { severityRank, SEVERITIES, type Diagnostic, type Finding, type PssLevel, type Severity } from '../core/index.ts';
import { knownControlIds, scanControls, selectChecks, selectSetChecks } from '../checks/catalog.ts';
import { controlPlaneChecks } from '../checks/access/control-plane/index.ts';
import { loadConfig } from '../config/load.ts';
import { compareFindings } from '../engine/run.ts';
import { parsePssVersion } from '../pss/version.ts';
import type { ScanReport } from '../report/index.ts';
import { createEvaluator, type EvaluationSettings } from '../scan/evaluate.ts';
import { resolve } from 'node:path';
import { clusterChecks, clusterControlIds } from './checks.ts';
import { connect, type ClusterClient, type ConnectOptions } from './client.ts';
import { clusterFile, collectObjects } from './collect.ts';
import { CONTROL_PLANE_NAMESPACE, controlPlanePods } from './control-plane.ts';
import { discoverResources } from './discover.ts';
import { encryptionCheck, type EncryptionReport, type EtcdOptions } from './encryption.ts';
import { isEtcdUnreachable, readApiServerEncryption, type EncryptionAtRest } from './encryption-config.ts';
import { createScope, DEFAULT_EXCLUDED_NAMESPACES, objectKey } from './scope.ts';

export { DEFAULT_EXCLUDED_NAMESPACES };

/** Controls whose findings on the control-plane pods of kube-system are kept though kube-system is excluded. */
const CONTROL_PLANE_CONTROLS: ReadonlySet<string> = new Set(controlPlaneChecks.map((check) => check.id));

export interface ClusterScanRequest extends ConnectOptions {
  /** An already connected client (tests, benchmarks); otherwise one is made from the options. */
  client?: ClusterClient;
  namespace?: string;
  /**
   * Namespaces (names or globs) whose objects get no findings; default: the configuration's
   * `cluster.excludeNamespaces`, else DEFAULT_EXCLUDED_NAMESPACES. They are still read: RBAC analysis needs them.
   */
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
  /** A local copy of the file kube-apiserver's --encryption-provider-config names (or a host-sensor ControlPlaneInfo document). */
  encryptionConfig?: string;
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
  /** What etcd holds, when --etcd-endpoint was given and etcd answered: provider and key per object, plaintext ones. */
  encryption?: EncryptionReport;
  /** How encryption at rest was judged (etcd, the API server's configuration, or not at all) and what stayed unknown; absent under -n. */
  encryptionAtRest?: EncryptionAtRest;
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
  const diagnostics: Diagnostic[] = [...discovery.diagnostics, ...collection.diagnostics];

  let encryption: EncryptionReport | undefined;
  if (request.etcd !== undefined) {
    const { readEncryptionState } = await import('./encryption.ts');
    try {
      encryption = await readEncryptionState(request.etcd);
    } catch (error) {
      // Unreachable or not answering as etcd: judged from the API server's configuration instead.
      // Mistakes in the flags (no https, unreadable certificate files) stay usage errors.
      if (!isEtcdUnreachable(error)) throw error;
      diagnostics.push({ level: 'error', code: error.code, message: `${error.message}; encryption at rest is judged from the API server's configuration instead`, location: { file: request.etcd.endpoint } });
    }
  }
  // The control plane lives in kube-system: under -n another namespace it was not read.
  const seesControlPlane = request.namespace === undefined || request.namespace === CONTROL_PLANE_NAMESPACE;
  const atRest = seesControlPlane
    ? await readApiServerEncryption(client, collection.objects, {
        file: request.encryptionConfig,
        cwd: request.cwd,
        provenByEtcd: encryption !== undefined,
        podsUnreadable: collection.gaps.includes('/pods'),
        clusterFile: file,
      })
    : undefined;
  if (atRest !== undefined) diagnostics.push(...atRest.diagnostics);

  const activeClusterChecks = [...clusterChecks, ...(encryption === undefined ? [] : [encryptionCheck(encryption)])].filter((check) => !config.controls.disable.has(check.id));
  const settings: EvaluationSettings = {
    config,
    level: request.pssLevel ?? config.pss.level,
    version: parsePssVersion(request.pssVersion ?? config.pss.version),
    now: request.now.toISOString(),
  };
  const evaluator = createEvaluator(settings, { setChecks: activeClusterChecks, knownControls: new Set([...knownControlIds, ...clusterControlIds]) });
  const unit = evaluator.evaluate({ file, objects: collection.objects, diagnostics: [], read: true });
  // EncryptionConfigurations read from a volume or a local copy: the catalog's encryption controls judge them.
  const extra = (atRest?.units ?? []).map((u) => evaluator.evaluate(u));
  const crossObject = evaluator.evaluateSet();

  // Scope: what findings are kept. Objects out of scope were still evaluated (set checks relate them).
  const scope = createScope(collection.objects, {
    namespace: request.namespace,
    excludeNamespaces: request.excludeNamespaces ?? config.cluster?.excludeNamespaces ?? DEFAULT_EXCLUDED_NAMESPACES,
    includeDefaults: request.includeDefaults ?? false,
    controlPlanePods: new Set(controlPlanePods(collection.objects).map((pod) => objectKey(pod.kind, pod.namespace, pod.name))),
    controlPlaneControls: CONTROL_PLANE_CONTROLS,
  });
  const findings: Finding[] = [];
  const dropped: Finding[] = [];
  for (const finding of [...unit.findings, ...extra.flatMap((r) => r.findings), ...crossObject.findings]) (scope.keeps(finding) ? findings : dropped).push(finding);
  for (const finding of evaluator.suppressor.expired()) findings.push(finding);
  findings.sort(compareFindings);
  const analysed = performance.now();

  diagnostics.push(...scope.notes(dropped, file), ...evaluator.suppressor.diagnostics());
  const errors = diagnostics.filter((d) => d.level === 'error').length;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) bySeverity[finding.severity]++;
  const suppressed = unit.suppressed + crossObject.suppressed + extra.reduce((n, r) => n + r.suppressed, 0);
  const report: ScanReport = {
    tool: { name: 'bulwark', version: request.toolVersion },
    findings,
    controls: [...selectChecks(settings.level, config.controls.disable), ...selectSetChecks(config.controls.disable), ...activeClusterChecks, ...scanControls],
    summary: { objects: collection.objects.length - scope.outOfScope + extra.reduce((n, r) => n + r.objects, 0), files: new Set([file, ...(atRest?.units ?? []).map((u) => u.file)]).size, findings: findings.length, bySeverity, suppressed, errors },
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
    excluded: scope.outOfScope,
    encryption,
    ...(atRest === undefined ? {} : { encryptionAtRest: atRest.state }),
  };
}
