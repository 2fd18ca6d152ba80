import { BulwarkError, type Control, type PssLevel } from '../core/index.ts';
import { expiredExceptionControl } from '../config/expired-control.ts';
import { pssChecks } from '../pss/catalog.ts';
import type { Check, SetCheck } from './check.ts';
import { accessChecks, accessSetChecks } from './access/index.ts';
import { computeSetChecks } from './compute/cross/index.ts';
import { computeChecks } from './compute/index.ts';
import { developSetChecks } from './develop/index.ts';
import { distributeChecks } from './distribute/index.ts';
import { networkChecks, networkSetChecks } from './network/index.ts';
import { storageChecks } from './storage/index.ts';

/** Every check Bulwark ships, in the order they run and are listed. */
export const allChecks: readonly Check[] = [
  ...pssChecks,
  ...computeChecks,
  ...distributeChecks,
  ...storageChecks,
  ...accessChecks,
  ...networkChecks,
];

/** Every cross-object check, run once over the whole scanned set after the per-object pass. */
export const allSetChecks: readonly SetCheck[] = [
  ...computeSetChecks,
  ...accessSetChecks,
  ...networkSetChecks,
  ...developSetChecks,
];

/** Controls that are reported but not evaluated per object (they come from the scan itself). */
export const scanControls: readonly Control[] = [expiredExceptionControl];

/** The whole catalog as users see it (`bulwark controls`, docs/controls.md, SARIF rules). */
export const allControls: readonly Control[] = [...allChecks, ...allSetChecks, ...scanControls];

export const knownControlIds: ReadonlySet<string> = new Set(allControls.map((control) => control.id));

/** Controls evaluated by one command only, besides the catalog every scan runs. */
export interface CommandControls {
  /** `bulwark cluster scan`: answered by the live cluster (RBAC paths, CSRs, etcd). */
  cluster: readonly Control[];
  /** `bulwark image scan`: answered by an image's configuration and layers. */
  image: readonly Control[];
}

const WHERE: Readonly<Record<keyof CommandControls, string>> = {
  cluster: 'Evaluated by `bulwark cluster scan` only: it needs the live cluster.',
  image: "Evaluated by `bulwark image scan` only: it reads the image's configuration and layers, not manifests.",
};

/**
 * Everything `bulwark controls` lists: the catalog, then each command's own controls with a sentence
 * saying where they run. Ids are unique across them all (exceptions and `controls.disable` name them).
 */
export function catalogListing(commands: CommandControls): Control[] {
  const listed: Control[] = [...allControls];
  for (const [command, controls] of Object.entries(commands) as [keyof CommandControls, readonly Control[]][]) {
    for (const control of controls) listed.push({ ...control, description: `${control.description.trim()} ${WHERE[command]}` });
  }
  const seen = new Set<string>();
  for (const control of listed) {
    if (seen.has(control.id)) throw new BulwarkError('E_INTERNAL', `control id ${control.id} is defined twice in the listing`);
    seen.add(control.id);
  }
  return listed;
}

/**
 * The checks a run evaluates: restricted-level Pod Security checks only when the chosen level is
 * restricted, minus what the configuration disables.
 */
export function selectChecks(level: PssLevel, disabled: ReadonlySet<string>): Check[] {
  return allChecks.filter(
    (check) => !disabled.has(check.id) && !(level === 'baseline' && check.frameworks.pss === 'restricted'),
  );
}

/** The cross-object checks a run evaluates: all of them but what the configuration disables. */
export function selectSetChecks(disabled: ReadonlySet<string>): SetCheck[] {
  return allSetChecks.filter((check) => !disabled.has(check.id));
}
