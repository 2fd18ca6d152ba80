// Evaluating one loaded source: the same code runs on the main thread and in scan workers.
import type { Diagnostic, Finding, KubeObject, PssLevel } from '../core/index.ts';
import { knownControlIds, selectChecks } from '../checks/catalog.ts';
import type { Config } from '../config/config.ts';
import { createSuppressor, type Suppressor } from '../config/exceptions.ts';
import { applySeverityOverrides } from '../config/overrides.ts';
import { runChecks, type RunOptions } from '../engine/run.ts';
import type { LoadedUnit } from '../load/index.ts';
import type { PssVersion } from '../pss/version.ts';

/** Everything a thread needs to evaluate sources exactly as any other thread would. */
export interface EvaluationSettings {
  config: Config;
  level: PssLevel;
  version: PssVersion;
  /** ISO time of the run, so that every thread judges exception expiry at the same instant. */
  now: string;
}

export interface UnitResult {
  findings: Finding[];
  diagnostics: Diagnostic[];
  objects: number;
  read: boolean;
  suppressed: number;
}

export interface Evaluator {
  evaluate(unit: LoadedUnit): UnitResult;
  /** Problems found in exception annotations, over every unit evaluated so far. */
  suppressor: Suppressor;
}

export function createEvaluator(settings: EvaluationSettings): Evaluator {
  const { config } = settings;
  const suppressor = createSuppressor(config, new Date(settings.now), { knownControls: knownControlIds });
  const checks = selectChecks(settings.level, config.controls.disable);
  const options: RunOptions = {
    settings: { pss: { level: settings.level, version: settings.version } },
    adjust: (finding: Finding) => applySeverityOverrides(finding, config),
    suppress: (object: KubeObject, finding: Finding) => suppressor.suppress(object, finding) !== null,
  };
  return {
    suppressor,
    evaluate(unit) {
      // Annotation mistakes are reported even on objects that have no finding to suppress.
      for (const object of unit.objects) suppressor.inspect(object);
      const { findings, suppressed } = runChecks(unit.objects, checks, options);
      return { findings, diagnostics: unit.diagnostics, objects: unit.objects.length, read: unit.read, suppressed };
    },
  };
}
