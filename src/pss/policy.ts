// Which revision of which check is in force for a (level, version), resolved the way the upstream
// admission library does: per check the newest revision at or below the version; at restricted,
// every baseline check too, where those a restricted revision replaces keep upstream's verdict but
// share its fields (see sharedWith/beyond below).
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
    const replacing = new Map<PodRule, PodRule>(); // restricted rule → baseline rule it replaces
    for (const definition of definitions) {
      const entry = table.get(definition.upstreamId)!;
      const rule = revisionAt(definition, minor)?.rule;
      if (definition.level === 'baseline') {
        entry.baseline[minor] = rule;
        const stricter = overriddenBy.get(definition.upstreamId);
        if (stricter === undefined || rule === undefined) entry.restricted[minor] = rule;
        else {
          entry.restricted[minor] = sharedWith(rule, stricter);
          replacing.set(stricter, rule);
        }
      } else {
        entry.baseline[minor] = undefined;
        entry.restricted[minor] = rule;
      }
    }
    for (const definition of definitions) {
      const entry = table.get(definition.upstreamId)!;
      const rule = entry.restricted[minor];
      const weaker = rule === undefined ? undefined : replacing.get(rule);
      if (rule !== undefined && weaker !== undefined) entry.restricted[minor] = beyond(rule, weaker);
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

function sharedWith(baseline: PodRule, stricter: PodRule): PodRule {
  return (pod, out) => {
    const strict: Violation[] = [];
    stricter(pod, strict);
    if (strict.length === 0) return;
    const base: Violation[] = [];
    baseline(pod, base);
    if (base.length === 0) return;
    const rejected = new Set(strict.map(pathKey));
    for (const violation of base) if (rejected.has(pathKey(violation))) out.push(violation);
  };
}

function beyond(stricter: PodRule, baseline: PodRule): PodRule {
  return (pod, out) => {
    const strict: Violation[] = [];
    stricter(pod, strict);
    if (strict.length === 0) return;
    const base: Violation[] = [];
    baseline(pod, base);
    const covered = new Set(base.map(pathKey));
    for (const violation of strict) if (!covered.has(pathKey(violation))) out.push(violation);
  };
}

export function rulesFor(rules: RulesByVersion, level: PssLevel): readonly (PodRule | undefined)[] {
  return level === 'baseline' ? rules.baseline : rules.restricted;
}
