// Test oracle for how findings are split between a baseline check and the stricter restricted check
// that overrides it. It works from the raw revisions, not from the resolved policy, so a mistake in
// the policy's wiring cannot hide in the oracle as well.
import type { Violation } from '../../checks/check.ts';
import type { PssLevel } from '../../core/index.ts';
import { podViews } from '../../podspec/index.ts';
import { PSS_DEFINITIONS } from '../catalog.ts';
import type { PodRule, PssCheckDefinition } from '../definition.ts';
import { evaluatePod } from '../evaluate.ts';
import { revisionAt } from '../policy.ts';
import { pssMinor, type PssVersion } from '../version.ts';

/** A baseline check and the restricted check that overrides it at some version. */
export interface OverridePair {
  readonly baseline: PssCheckDefinition;
  readonly stricter: PssCheckDefinition;
}

/** The pairs in force at the restricted level of `version`, taken from the definitions' `overrides`. */
export function overridePairs(version: PssVersion): OverridePair[] {
  const minor = pssMinor(version);
  const pairs: OverridePair[] = [];
  for (const stricter of PSS_DEFINITIONS) {
    for (const id of revisionAt(stricter, minor)?.overrides ?? []) {
      const baseline = PSS_DEFINITIONS.find((definition) => definition.upstreamId === id);
      if (baseline === undefined) throw new Error(`${stricter.upstreamId} overrides unknown check ${id}`);
      pairs.push({ baseline, stricter });
    }
  }
  return pairs;
}

const keyOf = (violation: Violation): string => JSON.stringify(violation.path);

function flaggedBy(rule: PodRule | undefined, raw: Readonly<Record<string, unknown>>): Violation[] {
  const out: Violation[] = [];
  if (rule !== undefined) for (const pod of podViews(raw)) rule(pod, out);
  return out;
}

/**
 * Every way the evaluation of `raw` departs from the attribution rule, as readable lines (empty when
 * it holds):
 * - a check of the level that is in no overridden pair reports exactly what its own revision flags;
 * - at restricted, for each overridden pair, the two checks together report exactly the fields the
 *   restricted revision alone flags (so the verdict is upstream's), no field twice; a field the
 *   baseline revision also rejects is reported by the baseline check with its own message, every
 *   other one by the restricted check.
 */
export function attributionErrors(raw: Readonly<Record<string, unknown>>, level: PssLevel, version: PssVersion): string[] {
  const minor = pssMinor(version);
  const reported = evaluatePod(raw, level, version);
  const errors: string[] = [];
  const pairs = level === 'restricted' ? overridePairs(version) : [];
  for (const definition of PSS_DEFINITIONS) {
    if (definition.level === 'restricted' && level === 'baseline') continue;
    if (pairs.some((pair) => pair.baseline === definition || pair.stricter === definition)) continue;
    const own = flaggedBy(revisionAt(definition, minor)?.rule, raw);
    const got = reported.get(definition.id) ?? [];
    if (JSON.stringify(got) !== JSON.stringify(own)) {
      errors.push(`${definition.id} at ${level} ${version} reports ${JSON.stringify(got)}, its rule flags ${JSON.stringify(own)}`);
    }
  }
  for (const { baseline, stricter } of pairs) {
    const strict = flaggedBy(revisionAt(stricter, minor)?.rule, raw);
    const base = flaggedBy(revisionAt(baseline, minor)?.rule, raw);
    const byBaseline = reported.get(baseline.id) ?? [];
    const byStricter = reported.get(stricter.id) ?? [];
    const where = `${baseline.id}/${stricter.id} at ${version}`;
    const union = [...byBaseline, ...byStricter].map(keyOf).sort();
    const expected = strict.map(keyOf).sort();
    if (JSON.stringify(union) !== JSON.stringify(expected)) {
      errors.push(`${where}: together report ${JSON.stringify(union)}, the restricted rule flags ${JSON.stringify(expected)}`);
    }
    const baseByKey = new Map(base.map((violation) => [keyOf(violation), violation]));
    for (const violation of byBaseline) {
      const own = baseByKey.get(keyOf(violation));
      if (own === undefined) errors.push(`${where}: ${baseline.id} reports ${keyOf(violation)}, which its rule does not flag`);
      else if (own.message !== violation.message) errors.push(`${where}: ${baseline.id} reports ${keyOf(violation)} with another check's message`);
    }
    for (const violation of byStricter) {
      if (baseByKey.has(keyOf(violation))) {
        errors.push(`${where}: ${stricter.id} reports ${keyOf(violation)}, which the baseline check also rejects`);
      }
    }
  }
  return errors;
}
