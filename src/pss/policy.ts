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
  shared: readonly Violation[];
  beyond: readonly Violation[];
}

// Most pods pass the stricter rule: they share this answer instead of allocating one each.
const NOTHING_SPLIT: Split = Object.freeze({ shared: Object.freeze([]), beyond: Object.freeze([]) });

/**
 * Whether `list` has a violation at the same path as `violation`: segment by segment, a number and
 * its text alike, as pathKey's joined keys compare them (paths are field names and indexes).
 */
function hasPathOf(list: readonly Violation[], violation: Violation): boolean {
  const key = violation.path;
  for (let i = 0; i < list.length; i++) {
    const other = list[i]!.path;
    if (other.length !== key.length) continue;
    let same = true;
    for (let k = 0; k < key.length && same; k++) same = other[k] === key[k] || String(other[k]) === String(key[k]);
    if (same) return true;
  }
  return false;
}

// Up to this many comparisons the lists (a few violations per pod) are compared directly; larger
// ones, which only hostile input produces, go through sets so the work stays linear.
const DIRECT_COMPARISONS = 256;

/**
 * The two halves of one (baseline, stricter) pair, computed once per pod template: the engine
 * evaluates both controls of the pair on the same pod, one after the other, so remembering the last
 * pod answers the second call without a per-pod cache (the rules are pure: a miss only recomputes).
 */
function splitPair(baseline: PodRule, stricter: PodRule): { shared: PodRule; beyond: PodRule } {
  // The stricter rule's answer for a passing pod is empty: collected here, no array per pod.
  const scratch: Violation[] = [];
  let lastPod: object | undefined;
  let lastSplit: Split = NOTHING_SPLIT;
  const split = (pod: Parameters<PodRule>[0]): Split => {
    if (pod === lastPod) return lastSplit;
    let known = NOTHING_SPLIT;
    scratch.length = 0;
    stricter(pod, scratch);
    if (scratch.length > 0) {
      const strict = scratch.slice();
      scratch.length = 0;
      known = { shared: [], beyond: [] };
      const base: Violation[] = [];
      baseline(pod, base);
      const shared = known.shared as Violation[];
      const beyond = known.beyond as Violation[];
      if (base.length * strict.length <= DIRECT_COMPARISONS) {
        for (const violation of base) if (hasPathOf(strict, violation)) shared.push(violation);
        for (const violation of strict) if (!hasPathOf(base, violation)) beyond.push(violation);
      } else {
        const rejectedByBase = new Set(base.map(pathKey));
        const rejectedByStrict = new Set(strict.map(pathKey));
        for (const violation of base) if (rejectedByStrict.has(pathKey(violation))) shared.push(violation);
        for (const violation of strict) if (!rejectedByBase.has(pathKey(violation))) beyond.push(violation);
      }
    }
    lastPod = pod;
    lastSplit = known;
    return known;
  };
  return {
    shared: (pod, out) => {
      const { shared } = split(pod);
      for (let i = 0; i < shared.length; i++) out.push(shared[i]!);
    },
    beyond: (pod, out) => {
      const { beyond } = split(pod);
      for (let i = 0; i < beyond.length; i++) out.push(beyond[i]!);
    },
  };
}

export function rulesFor(rules: RulesByVersion, level: PssLevel): readonly (PodRule | undefined)[] {
  return level === 'baseline' ? rules.baseline : rules.restricted;
}
