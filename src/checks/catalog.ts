import type { Control, PssLevel } from '../core/index.ts';
import { expiredExceptionControl } from '../config/expired-control.ts';
import { pssChecks } from '../pss/catalog.ts';
import type { Check } from './check.ts';

/** Every check Bulwark ships, in the order they run and are listed. */
export const allChecks: readonly Check[] = [...pssChecks];

/** Controls that are reported but not evaluated per object (they come from the scan itself). */
export const scanControls: readonly Control[] = [expiredExceptionControl];

/** The whole catalog as users see it (`bulwark controls`, docs/controls.md, SARIF rules). */
export const allControls: readonly Control[] = [...allChecks, ...scanControls];

export const knownControlIds: ReadonlySet<string> = new Set(allControls.map((control) => control.id));

/**
 * The checks a run evaluates: restricted-level Pod Security checks only when the chosen level is
 * restricted, minus what the configuration disables.
 */
export function selectChecks(level: PssLevel, disabled: ReadonlySet<string>): Check[] {
  return allChecks.filter(
    (check) => !disabled.has(check.id) && !(level === 'baseline' && check.frameworks.pss === 'restricted'),
  );
}
