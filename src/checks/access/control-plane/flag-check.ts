// A control-plane flag check is data plus one small rule over the parsed flags of one binary; the
// helpers below are the rules' vocabulary (set, not set, boolean, list membership, number).
import type { Area, Control, FieldPath } from '../../../core/index.ts';
import type { Check, CheckFixtures, Violation } from '../../check.ts';
import { invocations, type ComponentName, type Invocation } from './component.ts';
import { lastFlag, listFlag, parseGoBool, parseGoInt, type FlagOccurrence } from './flags.ts';

export interface FlagCheckDefinition extends Omit<Control, 'area'> {
  area?: Area;
  component: ComponentName;
  rule(invocation: Invocation): Violation | undefined;
  /**
   * Built when first read: the fixtures are static pods edited flag by flag, ~80 YAML texts that a
   * scan never reads but would otherwise build while its thread loads.
   */
  fixtures: () => CheckFixtures;
}

const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);

export function flagCheck(definition: FlagCheckDefinition): Check {
  const { component, rule, area, fixtures, ...control } = definition;
  let built: CheckFixtures | undefined;
  return {
    ...control,
    area: area ?? 'access',
    get fixtures() {
      return (built ??= fixtures());
    },
    // A plain function, not a generator: it runs for every object of a scan and almost always finds
    // no control-plane binary, so it returns the shared empty list without allocating.
    evaluate(context) {
      const found = invocations(context.pods);
      if (found.length === 0) return NO_VIOLATIONS;
      const out: Violation[] = [];
      for (const invocation of found) {
        if (invocation.component !== component) continue;
        const violation = rule(invocation);
        if (violation !== undefined) out.push(violation);
      }
      return out;
    },
  };
}

/** The value a flag ends up with: the last occurrence, or for etcd the `ETCD_*` variable. */
export function effective(invocation: Invocation, name: string): { value: string; path: FieldPath } | undefined {
  const occurrence = lastFlag(invocation.flags, name);
  if (occurrence !== undefined) return occurrence;
  if (invocation.component === 'etcd') return invocation.env.get(`ETCD_${name.toUpperCase().replaceAll('-', '_')}`);
  return undefined;
}

export function label(invocation: Invocation): string {
  return `${invocation.component} (container ${JSON.stringify(invocation.container.name)})`;
}

/** Violation when any of the flags is unset or empty. */
export function requireFlags(...names: string[]) {
  return (invocation: Invocation): Violation | undefined => {
    const missing = names.filter((name) => (effective(invocation, name)?.value ?? '') === '');
    if (missing.length === 0) return undefined;
    return {
      path: invocation.commandPath,
      message: `${label(invocation)} runs without ${missing.map((name) => `--${name}`).join(' and ')}`,
    };
  };
}

/** Violation when the flag is set to a non-empty value. */
export function forbidFlag(name: string, why: string) {
  return (invocation: Invocation): Violation | undefined => {
    const found = effective(invocation, name);
    if (found === undefined || found.value === '') return undefined;
    return { path: found.path, message: `${label(invocation)} sets --${name}: ${why}` };
  };
}

/**
 * Violation when the boolean's effective value (its default when unset) is not `wanted`. A value the
 * binary would refuse to parse is reported as such.
 */
export function requireBool(name: string, wanted: boolean, defaultValue: boolean) {
  return (invocation: Invocation): Violation | undefined => {
    const found = effective(invocation, name);
    if (found === undefined) {
      if (defaultValue === wanted) return undefined;
      return { path: invocation.commandPath, message: `${label(invocation)} leaves --${name} at its default, ${defaultValue}` };
    }
    const value = parseGoBool(found.value);
    if (value === undefined) return { path: found.path, message: `${label(invocation)} sets --${name}=${JSON.stringify(found.value)}, which is not a boolean (the binary refuses to start)` };
    if (value === wanted) return undefined;
    return { path: found.path, message: `${label(invocation)} sets --${name}=${found.value}` };
  };
}

/** Violation when the number is unset or below `minimum`. */
export function requireAtLeast(name: string, minimum: number) {
  return (invocation: Invocation): Violation | undefined => {
    const found = effective(invocation, name);
    if (found === undefined) return { path: invocation.commandPath, message: `${label(invocation)} runs without --${name} (wanted: ${minimum} or more)` };
    const value = parseGoInt(found.value);
    if (value === undefined) return { path: found.path, message: `${label(invocation)} sets --${name}=${JSON.stringify(found.value)}, which is not a number` };
    if (value >= minimum) return undefined;
    return { path: found.path, message: `${label(invocation)} sets --${name}=${value} (wanted: ${minimum} or more)` };
  };
}

/** Items of a list flag, with the occurrence that wrote each. */
export function listItems(invocation: Invocation, name: string): { item: string; occurrence: FlagOccurrence }[] {
  return listFlag(invocation.flags, name);
}
