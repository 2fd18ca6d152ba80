import { dirname, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { severityRank, SEVERITIES, type Finding, type PssLevel, type Severity } from '../core/index.ts';
import { knownControlIds, scanControls, selectChecks } from '../checks/catalog.ts';
import { applySeverityOverrides, createSuppressor, isExcluded, loadConfig } from '../config/index.ts';
import { compareFindings, runChecks } from '../engine/run.ts';
import { loadInputs, type Diagnostic } from '../load/index.ts';
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

  const loaded = await loadInputs(
    { paths: request.paths, kustomize: request.kustomize, helm: request.helm, readStdin: request.readStdin },
    { cwd: request.cwd, exclude: (path) => isExcluded(config, path, request.cwd) },
  );

  const checks = selectChecks(level, new Set(config.controls.disable));
  const suppressor = createSuppressor(config, request.now, { knownControls: knownControlIds });
  // Annotation mistakes are reported even on objects that have no finding to suppress.
  for (const object of loaded.objects) suppressor.inspect(object);
  const result = runChecks(loaded.objects, checks, {
    settings: { pss: { level, version } },
    adjust: (finding) => applySeverityOverrides(finding, config),
    suppress: (object, finding) => suppressor.suppress(object, finding) !== null,
  });
  const findings: Finding[] = [...result.findings, ...suppressor.expired()];
  findings.sort(compareFindings);

  const diagnostics = [...loaded.diagnostics, ...suppressor.diagnostics()];
  const errors = diagnostics.filter((d) => d.level === 'error').length;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) bySeverity[finding.severity]++;

  const report: ScanReport = {
    tool: { name: 'bulwark', version: request.toolVersion },
    findings,
    controls: [...checks, ...scanControls],
    summary: {
      objects: loaded.objects.length,
      files: loaded.files,
      findings: findings.length,
      bySeverity,
      suppressed: result.suppressed,
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
