import { dirname, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { severityRank, SEVERITIES, type Finding, type KubeObject, type PssLevel, type Severity } from '../core/index.ts';
import { knownControlIds, scanControls, selectChecks } from '../checks/catalog.ts';
import { createSuppressor } from '../config/exceptions.ts';
import { isExcluded } from '../config/exclude.ts';
import { loadConfig } from '../config/load.ts';
import { applySeverityOverrides } from '../config/overrides.ts';
import { compareFindings, runChecks } from '../engine/run.ts';
import { streamInputs, type Diagnostic } from '../load/index.ts';
import { parsePssVersion } from '../pss/version.ts';
import type { ScanReport } from '../report/index.ts';

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
}

export interface ScanOutcome {
  report: ScanReport;
  diagnostics: Diagnostic[];
  /** DESIGN.md §3: 0 nothing at or above the threshold, 1 findings at or above it, 2 input error. */
  exitCode: 0 | 1 | 2;
}

/** `bulwark scan`: load, evaluate, apply the configuration, and decide the exit code. */
export async function runScan(request: ScanRequest): Promise<ScanOutcome> {
  const startDir = await configStartDir(request);
  const { config } = await loadConfig({
    explicitPath: request.configPath === undefined ? undefined : resolve(request.cwd, request.configPath),
    startDir,
    knownControls: knownControlIds,
    cwd: request.cwd,
  });
  const level = request.pssLevel ?? config.pss.level;
  const version = parsePssVersion(request.pssVersion ?? config.pss.version);
  const failOn = request.failOn ?? config.failOn;

  const checks = selectChecks(level, new Set(config.controls.disable));
  const suppressor = createSuppressor(config, request.now, { knownControls: knownControlIds });
  const runOptions = {
    settings: { pss: { level, version } },
    adjust: (finding: Finding) => applySeverityOverrides(finding, config),
    suppress: (object: KubeObject, finding: Finding) => suppressor.suppress(object, finding) !== null,
  };

  // One source at a time: its objects are evaluated and released before the next is parsed.
  const found: Finding[] = [];
  const loadDiagnostics: Diagnostic[] = [];
  let objects = 0;
  let files = 0;
  let suppressed = 0;
  const units = streamInputs(
    { paths: request.paths, kustomize: request.kustomize, helm: request.helm, readStdin: request.readStdin },
    { cwd: request.cwd, exclude: (path) => isExcluded(config, path, request.cwd) },
  );
  for await (const unit of units) {
    if (unit.read) files++;
    objects += unit.objects.length;
    loadDiagnostics.push(...unit.diagnostics);
    // Annotation mistakes are reported even on objects that have no finding to suppress.
    for (const object of unit.objects) suppressor.inspect(object);
    const result = runChecks(unit.objects, checks, runOptions);
    for (const finding of result.findings) found.push(finding);
    suppressed += result.suppressed;
  }
  const findings: Finding[] = [...found, ...suppressor.expired()];
  findings.sort(compareFindings);

  const diagnostics = [...loadDiagnostics, ...suppressor.diagnostics()];
  const errors = diagnostics.filter((d) => d.level === 'error').length;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) bySeverity[finding.severity]++;

  const report: ScanReport = {
    tool: { name: 'bulwark', version: request.toolVersion },
    findings,
    controls: [...checks, ...scanControls],
    summary: {
      objects,
      files,
      findings: findings.length,
      bySeverity,
      suppressed,
      errors,
    },
  };
  let exitCode: 0 | 1 | 2 = 0;
  if (errors > 0) exitCode = 2;
  else if (failOn !== undefined && findings.some((f) => severityRank(f.severity) >= severityRank(failOn))) exitCode = 1;
  return { report, diagnostics, exitCode };
}

/** The configuration is looked up from the first scanned path, as linters do from the linted file. */
async function configStartDir(request: ScanRequest): Promise<string> {
  const first = request.paths.find((p) => p !== '-') ?? request.kustomize[0] ?? request.helm?.chart;
  if (first === undefined) return request.cwd;
  const absolute = resolve(request.cwd, first);
  try {
    return (await stat(absolute)).isDirectory() ? absolute : dirname(absolute);
  } catch {
    // The loader reports the unreadable path with its own diagnostic; the config search starts here.
    return request.cwd;
  }
}
