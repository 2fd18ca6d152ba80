import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { severityRank, SEVERITIES, type Diagnostic, type Finding, type PssLevel, type Severity } from '../core/index.ts';
import { knownControlIds, scanControls, selectChecks, selectSetChecks } from '../checks/catalog.ts';
import type { SetCheck } from '../checks/check.ts';
import { isExcluded } from '../config/exclude.ts';
import { loadConfig } from '../config/load.ts';
import { compareFindings } from '../engine/run.ts';
import { discoverInputs, STDIN, streamInputs } from '../load/index.ts';
import { parsePssVersion } from '../pss/version.ts';
import type { ScanReport } from '../report/index.ts';
import type { ThreatModel } from '../report/threat-model.ts';
import { THREAT_MODEL_KINDS, threatPaths } from '../checks/develop/threat-model.ts';
import { createEvaluator, type EvaluationSettings, type UnitResult } from './evaluate.ts';
import { evaluateFiles, workerCount } from './parallel.ts';

export interface ScanRequest {
  /** Files, directories, or `-` for stdin. */
  paths: readonly string[];
  kustomize: readonly string[];
  helm?: { chart: string; values: readonly string[]; releaseName?: string; namespace?: string };
  configPath?: string;
  cwd: string;
  /** Command-line choices; each overrides the configuration file's. */
  pssLevel?: PssLevel;
  pssVersion?: string;
  failOn?: Severity;
  /** Injected so that exception expiry is testable. */
  now: Date;
  toolVersion: string;
  readStdin?: () => Promise<string>;
  /** Worker threads to use; default: decided from the size of the input and the machine's cores. */
  workers?: number;
  /** Called as files are evaluated (for a progress indicator). */
  onProgress?: (done: number, total: number) => void;
  /** Called once the files to read are known, with their total size (the scan thread picks its compiler tiers by it). */
  onInputSize?: (bytes: number) => void;
  /** Files or directories of ValidatingAdmissionPolicies (and bindings, params) to evaluate too. */
  policies?: readonly string[];
  /** Also build the threat model view (`scan --threat-model`). */
  threatModel?: boolean;
}

export interface ScanOutcome {
  report: ScanReport;
  diagnostics: Diagnostic[];
  /** DESIGN.md §3: 0 nothing at or above the threshold, 1 findings at or above it, 2 input error. */
  exitCode: 0 | 1 | 2;
  /** When asked for: exposed workloads, what they run as and may do, with their findings. */
  threatModel?: ThreatModel;
}

/** `bulwark scan`: load, evaluate, apply the configuration, and decide the exit code. */
export async function runScan(request: ScanRequest): Promise<ScanOutcome> {
  const startDir = await configStartDir(request);
  // Policies are read before the configuration: their control ids are ones it may name.
  const policies = request.policies !== undefined && request.policies.length > 0 ? await loadPolicies(request.policies, request.cwd) : undefined;
  const knownControls = policies === undefined ? knownControlIds : new Set([...knownControlIds, ...policies.checks.map((check) => check.id)]);
  const { config } = await loadConfig({
    explicitPath: request.configPath === undefined ? undefined : resolve(request.cwd, request.configPath),
    startDir,
    knownControls,
    cwd: request.cwd,
  });
  const policyChecks = (policies?.checks ?? []).filter((check) => !config.controls.disable.has(check.id));
  const settings: EvaluationSettings = {
    config,
    level: request.pssLevel ?? config.pss.level,
    version: parsePssVersion(request.pssVersion ?? config.pss.version),
    now: request.now.toISOString(),
  };
  const failOn = request.failOn ?? config.failOn;
  const evaluator = createEvaluator(settings, { setChecks: policyChecks, knownControls, keepKinds: request.threatModel ? THREAT_MODEL_KINDS : undefined });
  const loadOptions = { cwd: request.cwd, exclude: (path: string) => isExcluded(config, path, request.cwd) };

  // Files first (spread over threads when large), then stdin and rendered charts and overlays.
  const discovered = await discoverInputs(request.paths, loadOptions);
  const files = discovered.files.filter((file) => file !== STDIN);
  // Cross-object checks need every object in one thread; objects never cross threads (only findings do).
  const bytes = await totalBytes(files, request.cwd);
  request.onInputSize?.(bytes);
  const workers = evaluator.needsWholeSet ? 0 : (request.workers ?? workerCount(bytes));
  const parallel = await evaluateFiles(files, { settings, cwd: request.cwd }, evaluator, workers, request.onProgress);
  const results: UnitResult[] = parallel.results.flat();
  const rest = streamInputs(
    {
      paths: discovered.files.includes(STDIN) ? [STDIN] : [],
      kustomize: request.kustomize,
      helm: request.helm,
      readStdin: request.readStdin,
    },
    loadOptions,
  );
  for await (const unit of rest) results.push(evaluator.evaluate(unit));

  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [...(policies?.diagnostics ?? []), ...discovered.diagnostics];
  let objects = 0;
  let filesRead = 0;
  let suppressed = 0;
  // Indexed: tens of thousands of findings, and `for…of` allocated a result object per step.
  for (let r = 0; r < results.length; r++) {
    const result = results[r]!;
    for (let f = 0; f < result.findings.length; f++) findings.push(result.findings[f]!);
    diagnostics.push(...result.diagnostics);
    objects += result.objects;
    suppressed += result.suppressed;
    if (result.read) filesRead++;
  }
  const crossObject = evaluator.evaluateSet();
  for (const finding of crossObject.findings) findings.push(finding);
  suppressed += crossObject.suppressed;
  for (const finding of evaluator.suppressor.expired()) findings.push(finding);
  findings.sort(compareFindings);
  diagnostics.push(...evaluator.suppressor.diagnostics(), ...parallel.diagnostics);

  const errors = diagnostics.filter((d) => d.level === 'error').length;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) bySeverity[finding.severity]++;

  const report: ScanReport = {
    tool: { name: 'bulwark', version: request.toolVersion },
    findings,
    controls: [
      ...selectChecks(settings.level, config.controls.disable),
      ...selectSetChecks(config.controls.disable),
      ...policyChecks,
      ...scanControls,
    ],
    summary: { objects, files: filesRead, findings: findings.length, bySeverity, suppressed, errors },
  };
  let exitCode: 0 | 1 | 2 = 0;
  if (errors > 0) exitCode = 2;
  else if (failOn !== undefined && findings.some((f) => severityRank(f.severity) >= severityRank(failOn))) exitCode = 1;
  // The view's module is loaded only when it is asked for.
  const threatModel = request.threatModel
    ? (await import('../report/threat-model.ts')).buildThreatModel(threatPaths(evaluator.objectSet()), findings, request.toolVersion)
    : undefined;
  return { report, diagnostics, exitCode, threatModel };
}

/** The user's policies as cross-object checks; loaded only when asked for, so plain scans stay lean. */
async function loadPolicies(paths: readonly string[], cwd: string): Promise<{ checks: SetCheck[]; diagnostics: Diagnostic[] }> {
  const { loadPolicySet, policySetChecks } = await import('../policy/index.ts');
  const { set, diagnostics } = await loadPolicySet(paths, { cwd });
  if (set.policies.length === 0 && !diagnostics.some((d) => d.level === 'error')) {
    diagnostics.push({ level: 'error', code: 'E_INPUT', message: 'no ValidatingAdmissionPolicy found in the --policy paths', location: { file: paths.join(', ') } });
  }
  return { checks: policySetChecks(set), diagnostics };
}

async function totalBytes(files: readonly string[], cwd: string): Promise<number> {
  const sizes = await Promise.all(files.map((file) => stat(resolve(cwd, file)).then((s) => s.size, () => 0)));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** The configuration is looked up from the first scanned path, as linters do from the linted file. */
async function configStartDir(request: ScanRequest): Promise<string> {
  const first = request.paths.find((p) => p !== STDIN) ?? request.kustomize[0] ?? request.helm?.chart;
  if (first === undefined) return request.cwd;
  const absolute = resolve(request.cwd, first);
  try {
    return (await stat(absolute)).isDirectory() ? absolute : dirname(absolute);
  } catch {
    // The loader reports the unreadable path with its own diagnostic; the config search starts here.
    return request.cwd;
  }
}
