import type { Area } from './area.ts';
import type { Severity } from './severity.ts';

export type PssLevel = 'baseline' | 'restricted';

/** This control's ids in the frameworks it answers to; a key is present only where it applies. */
export interface Frameworks {
  pss?: PssLevel;
  cis?: readonly string[];
  nsa?: readonly string[];
  mitre?: readonly string[];
  kubescape?: readonly string[];
}

/** What a control is, independent of how it is evaluated. */
export interface Control {
  /** Stable, lowercase, kebab-case (`pss-privileged`); users write it in exceptions. */
  id: string;
  title: string;
  area: Area;
  severity: Severity;
  frameworks: Frameworks;
  /** Why it matters, a sentence or two (Markdown allowed). */
  description: string;
  /** What to change, concretely. */
  remediation: string;
}
