// Which revision of which check is in force for a (level, version), resolved the way the upstream
// admission library does: per check the newest revision at or below the version; at restricted,
// every baseline check too, where those a restricted revision replaces keep upstream's verdict but
// share its fields (see splitPair below).
import type { Violation } from '../checks/check.ts';
import type { PssLevel } from '../core/index.ts';
import type { PodRule, PssCheckDefinition, PssRevision } from './definition.ts';
import { PSS_NEWEST_MINOR } from './version.ts';

/** Per minor release 0…newest: the rule in force, or undefined when the check does not apply. */
export interface RulesByVersion {
  readonly baseline: readonly (PodRule | undefined)[];
  readonly restricted: readonly (PodRule | undefined)[];
}

export function revisionAt(definition: PssCheckDefinition, minor: number): PssRevision | undefined {
  let found: PssRevision | undefined;
  for (const revision of definition.revisions) if (revision.since <= minor) found = revision;
  return found;
}

/** Resolves every (level, minor) once, so evaluating an object costs an array lookup per check. */
export function resolveRules(definitions: readonly PssCheckDefinition[]): ReadonlyMap<string, RulesByVersion> {
  const table = new Map<string, { baseline: (PodRule | undefined)[]; restricted: (PodRule | undefined)[] }>();
  for (const definition of definitions) table.set(definition.upstreamId, { baseline: [], restricted: [] });
  for (let minor = 0; minor <= PSS_NEWEST_MINOR; minor++) {
    // baseline upstream id → the restricted rule in force that upstream lets replace it
    const overriddenBy = new Map<string, PodRule>();
    for (const definition of definitions) {
      if (definition.level !== 'restricted') continue;
      const revision = revisionAt(definition, minor);
      for (const id of revision?.overrides ?? []) overriddenBy.set(id, revision!.rule);
    }
    const pairs = new Map<PodRule, { shared: PodRule; beyond: PodRule }>(); // by the restricted rule
    for (const definition of definitions) {
      const entry = table.get(definition.upstreamId)!;
      const rule = revisionAt(definition, minor)?.rule;
      if (definition.level === 'baseline') {
        entry.baseline[minor] = rule;
        const stricter = overriddenBy.get(definition.upstreamId);
        if (stricter === undefined || rule === undefined) entry.restricted[minor] = rule;
        else {
          const pair = splitPair(rule, stricter);
          entry.restricted[minor] = pair.shared;
          pairs.set(stricter, pair);
        }
      } else {
        entry.baseline[minor] = undefined;
        entry.restricted[minor] = rule;
      }
    }
    for (const definition of definitions) {
      const entry = table.get(definition.upstreamId)!;
      const rule = entry.restricted[minor];
      const pair = rule === undefined ? undefined : pairs.get(rule);
      if (pair !== undefined) entry.restricted[minor] = pair.beyond;
    }
  }
  return table;
}

/*
 * At restricted, upstream drops a baseline check that a stricter restricted check replaces (host
 * paths inside restricted volumes, added capabilities inside "drop ALL, add only
 * NET_BIND_SERVICE"). The verdict is the restricted check's alone — which matters, because the
 * restricted form exempts Windows pods where the baseline form does not. We keep that verdict
 * exactly, but report each offending field under the most specific control: a field both checks
 * reject is reported by the baseline control (`pss-host-path-volumes`, high), the rest by the
 * restricted one. Together they flag exactly the fields the restricted rule flags.
 */
const pathKey = (violation: Violation): string => violation.path.join('\u0000');

interface Split {
  shared: Violation[];
  beyond: Violation[];
}

/**
 * The two halves of one (baseline, stricter) pair, computed once per pod template: the engine
 * evaluates both controls of the pair on the same pod, one after the other.
 */
function splitPair(baseline: PodRule, stricter: PodRule): { shared: PodRule; beyond: PodRule } {
  const memo = new WeakMap<object, Split>();
  const split = (pod: Parameters<PodRule>[0]): Split => {
    let known = memo.get(pod);
    if (known === undefined) {
      known = { shared: [], beyond: [] };
      const strict: Violation[] = [];
      stricter(pod, strict);
      if (strict.length > 0) {
        const base: Violation[] = [];
        baseline(pod, base);
        const rejectedByBase = new Set(base.map(pathKey));
        const rejectedByStrict = new Set(strict.map(pathKey));
        for (const violation of base) if (rejectedByStrict.has(pathKey(violation))) known.shared.push(violation);
        for (const violation of strict) if (!rejectedByBase.has(pathKey(violation))) known.beyond.push(violation);
      }
      memo.set(pod, known);
    }
    return known;
  };
  return {
    shared: (pod, out) => {
      for (const violation of split(pod).shared) out.push(violation);
    },
    beyond: (pod, out) => {
      for (const violation of split(pod).beyond) out.push(violation);
    },
  };
}

export function rulesFor(rules: RulesByVersion, level: PssLevel): readonly (PodRule | undefined)[] {
  return level === 'baseline' ? rules.baseline : rules.restricted;
}
