// The Pod Security Standards as Bulwark checks, baseline before restricted, in a stable order.
import type { Check, CheckContext, ScanSettings, Violation } from '../checks/check.ts';
import type { PssLevel } from '../core/index.ts';
import { allowPrivilegeEscalationCheck } from './checks/allow-privilege-escalation.ts';
import { appArmorProfileCheck } from './checks/apparmor-profile.ts';
import { capabilitiesBaselineCheck } from './checks/capabilities-baseline.ts';
import { capabilitiesRestrictedCheck } from './checks/capabilities-restricted.ts';
import { hostNamespacesCheck } from './checks/host-namespaces.ts';
import { hostPathVolumesCheck } from './checks/host-path-volumes.ts';
import { hostPortsCheck } from './checks/host-ports.ts';
import { hostProbesAndHostLifecycleCheck } from './checks/host-probes-and-host-lifecycle.ts';
import { privilegedCheck } from './checks/privileged.ts';
import { procMountRestrictedCheck } from './checks/proc-mount-restricted.ts';
import { procMountCheck } from './checks/proc-mount.ts';
import { restrictedVolumesCheck } from './checks/restricted-volumes.ts';
import { runAsNonRootCheck } from './checks/run-as-non-root.ts';
import { runAsUserCheck } from './checks/run-as-user.ts';
import { seccompProfileBaselineCheck } from './checks/seccomp-profile-baseline.ts';
import { seccompProfileRestrictedCheck } from './checks/seccomp-profile-restricted.ts';
import { seLinuxOptionsCheck } from './checks/selinux-options.ts';
import { sysctlsCheck } from './checks/sysctls.ts';
import { windowsHostProcessCheck } from './checks/windows-host-process.ts';
import type { PodRule, PssCheckDefinition } from './definition.ts';
import { resolveRules, rulesFor, type RulesByVersion } from './policy.ts';
import { pssMinor, type PssVersion } from './version.ts';

/** Every upstream check, baseline first, each level in the order the standard lists its controls. */
export const PSS_DEFINITIONS: readonly PssCheckDefinition[] = [
  windowsHostProcessCheck,
  hostNamespacesCheck,
  privilegedCheck,
  capabilitiesBaselineCheck,
  hostPathVolumesCheck,
  hostPortsCheck,
  hostProbesAndHostLifecycleCheck,
  appArmorProfileCheck,
  seLinuxOptionsCheck,
  procMountCheck,
  seccompProfileBaselineCheck,
  sysctlsCheck,
  restrictedVolumesCheck,
  allowPrivilegeEscalationCheck,
  runAsNonRootCheck,
  runAsUserCheck,
  seccompProfileRestrictedCheck,
  capabilitiesRestrictedCheck,
  procMountRestrictedCheck,
];

/** A Pod Security Standards check: a Bulwark check that knows its upstream identity and versions. */
export interface PssCheck extends Check {
  /** The upstream admission library's id, e.g. `seccompProfile_restricted`. */
  readonly upstreamId: string;
  /** The level that introduces this check (restricted includes every baseline check). */
  readonly level: PssLevel;
  /** The rule in force at this level and version, or undefined when the check does not apply there. */
  ruleFor(level: PssLevel, version: PssVersion): PodRule | undefined;
}

const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);
// Checks run one at a time; collecting into one reused array avoids an allocation per object and
// check when, as for most objects, nothing is wrong.
const scratch: Violation[] = [];

function toCheck(definition: PssCheckDefinition, rules: RulesByVersion): PssCheck {
  const ruleFor = (level: PssLevel, version: PssVersion): PodRule | undefined =>
    rulesFor(rules, level)[pssMinor(version)];
  // A scan evaluates every object under the same settings: remember the last resolution.
  let lastLevel: PssLevel | undefined;
  let lastVersion: PssVersion | undefined;
  let lastRule: PodRule | undefined;
  return {
    id: definition.id,
    title: definition.title,
    area: 'compute',
    severity: definition.severity,
    frameworks: { pss: definition.level, ...definition.frameworks },
    description: definition.description,
    remediation: definition.remediation,
    fixtures: definition.fixtures,
    upstreamId: definition.upstreamId,
    level: definition.level,
    ruleFor,
    evaluate(context: CheckContext): Iterable<Violation> {
      if (context.pods.length === 0) return NO_VIOLATIONS;
      const { level, version } = context.settings.pss;
      if (level !== lastLevel || version !== lastVersion) {
        lastRule = ruleFor(level, version);
        lastLevel = level;
        lastVersion = version;
      }
      const rule = lastRule;
      if (rule === undefined) return NO_VIOLATIONS;
      scratch.length = 0;
      for (const pod of context.pods) rule(pod, scratch);
      if (scratch.length === 0) return NO_VIOLATIONS;
      const found = scratch.slice();
      scratch.length = 0;
      return found;
    },
  };
}

const RULES = resolveRules(PSS_DEFINITIONS);

export const pssChecks: readonly PssCheck[] = PSS_DEFINITIONS.map((definition) =>
  toCheck(definition, RULES.get(definition.upstreamId)!),
);

const BASELINE_CHECKS = pssChecks.filter((check) => check.level === 'baseline');

/** The checks a level consists of: baseline → the baseline checks; restricted → all of them. */
export function pssChecksFor(level: PssLevel): readonly PssCheck[] {
  return level === 'baseline' ? BASELINE_CHECKS : pssChecks;
}

const BY_UPSTREAM_ID = new Map(pssChecks.map((check) => [check.upstreamId.toLowerCase(), check]));

/** Looks a check up by its upstream id, case-insensitively (`seccompprofile_restricted` works). */
export function pssCheckByUpstreamId(upstreamId: string): PssCheck | undefined {
  return BY_UPSTREAM_ID.get(upstreamId.toLowerCase());
}

/**
 * Settings under which a check's own fixtures are meant: its level, newest version. (A restricted
 * check that overrides a baseline one reports only what that baseline check does not, so its
 * failing fixtures are ones only the stricter form rejects.)
 */
export function pssFixtureSettings(check: PssCheck): ScanSettings {
  return { pss: { level: check.level, version: 'latest' } };
}
