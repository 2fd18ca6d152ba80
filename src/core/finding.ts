import type { Area } from './area.ts';
import type { Frameworks } from './control.ts';
import type { ObjectRef } from './object.ts';
import type { Severity } from './severity.ts';

/** DESIGN.md §3: the JSON shape of one finding. Key order here is the order printed. */
export interface Finding {
  control: string;
  title: string;
  severity: Severity;
  area: Area;
  frameworks: Frameworks;
  object: ObjectRef;
  location: FindingLocation;
  message: string;
  remediation: string;
}

export interface FindingLocation {
  file: string;
  line: number;
  column: number;
  /** Field path inside the object, `spec.containers[0].securityContext.privileged`. */
  path: string;
}
