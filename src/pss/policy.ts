// Which revision of which check is in force for a (level, version), resolved the way the upstream
// admission library does: per check the newest revision at or below the version; at restricted,
// every baseline check too, except those a restricted revision in force replaces.
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
    const overridden = new Set<string>();
    for (const definition of definitions) {
      if (definition.level !== 'restricted') continue;
      for (const id of revisionAt(definition, minor)?.overrides ?? []) overridden.add(id);
    }
    for (const definition of definitions) {
      const entry = table.get(definition.upstreamId)!;
      const rule = revisionAt(definition, minor)?.rule;
      const baselineCheck = definition.level === 'baseline';
      entry.baseline[minor] = baselineCheck ? rule : undefined;
      entry.restricted[minor] = baselineCheck && overridden.has(definition.upstreamId) ? undefined : rule;
    }
  }
  return table;
}

export function rulesFor(rules: RulesByVersion, level: PssLevel): readonly (PodRule | undefined)[] {
  return level === 'baseline' ? rules.baseline : rules.restricted;
}
