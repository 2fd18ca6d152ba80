// Evaluating one loaded source: the same code runs on the main thread and in scan workers.
import type { Diagnostic, Finding, KubeObject, PssLevel } from '../core/index.ts';
import type { ObjectSet, SetCheck } from '../checks/check.ts';
import { knownControlIds, selectChecks, selectSetChecks } from '../checks/catalog.ts';
import type { Config } from '../config/config.ts';
import { createSuppressor, type Suppressor } from '../config/exceptions.ts';
import { applySeverityOverrides } from '../config/overrides.ts';
import { createObjectSet } from '../engine/object-set.ts';
import { runChecks, runSetChecks, type RunOptions } from '../engine/run.ts';
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
  /** Whether cross-object checks are selected: then every unit must be evaluated by this evaluator. */
  needsWholeSet: boolean;
  /** Runs the cross-object checks over the objects kept from every unit evaluated so far. */
  evaluateSet(): { findings: Finding[]; suppressed: number };
  /** The kept objects, indexed once: the set evaluateSet ran on (views such as the threat model reuse it). */
  objectSet(): ObjectSet;
  /** Problems found in exception annotations, over every unit evaluated so far. */
  suppressor: Suppressor;
}

/**
 * What the main thread may add to the catalog: cross-object checks built at run time (the user's
 * policies, one per policy) and the control ids they bring, which exceptions may then name.
 */
export interface EvaluatorExtras {
  setChecks?: readonly SetCheck[];
  knownControls?: ReadonlySet<string>;
  /** Kinds to keep for a view of the whole set besides the checks (`scan --threat-model`). */
  keepKinds?: readonly string[];
}

export function createEvaluator(settings: EvaluationSettings, extras: EvaluatorExtras = {}): Evaluator {
  const { config } = settings;
  const suppressor = createSuppressor(config, new Date(settings.now), { knownControls: extras.knownControls ?? knownControlIds });
  const checks = selectChecks(settings.level, config.controls.disable);
  const setChecks = [...selectSetChecks(config.controls.disable), ...(extras.setChecks ?? [])];
  // Only the kinds some cross-object check reads are kept, so memory follows what is asked for;
  // a check reading every kind ('*', the user's policies) keeps everything.
  const keptKinds = new Set([...setChecks.flatMap((check) => check.kinds), ...(extras.keepKinds ?? [])]);
  const keepAll = keptKinds.has('*');
  const kept: KubeObject[] = [];
  // What the checks reported on the earlier parts of the source being read (LoadedUnit.partial).
  let heldBack: Diagnostic[] = [];
  let set: ObjectSet | undefined;
  const objectSet = (): ObjectSet => (set ??= createObjectSet(kept));
  const options: RunOptions = {
    settings: { pss: { level: settings.level, version: settings.version }, options: config.checks },
    adjust: (finding: Finding) => applySeverityOverrides(finding, config),
    suppress: (object: KubeObject, finding: Finding) => suppressor.suppress(object, finding) !== null,
  };
  return {
    suppressor,
    needsWholeSet: keptKinds.size > 0,
    evaluateSet: () => runSetChecks(objectSet(), setChecks, options),
    objectSet,
    evaluate(unit) {
      for (const object of unit.objects) {
        // Annotation mistakes are reported even on objects that have no finding to suppress.
        suppressor.inspect(object);
        if (keepAll || keptKinds.has(object.kind)) kept.push(object);
      }
      const { findings, suppressed, diagnostics } = runChecks(unit.objects, checks, options);
      // A source read in parts reports as a whole-source unit would: its own diagnostics, then what
      // the checks found over all of its objects.
      if (unit.partial === true) {
        if (diagnostics.length > 0) heldBack.push(...diagnostics);
        return { findings, diagnostics: [], objects: unit.objects.length, read: unit.read, suppressed };
      }
      const fromChecks = heldBack.length === 0 ? diagnostics : [...heldBack, ...diagnostics];
      heldBack = [];
      return { findings, diagnostics: fromChecks.length === 0 ? unit.diagnostics : [...unit.diagnostics, ...fromChecks], objects: unit.objects.length, read: unit.read, suppressed };
    },
  };
}
