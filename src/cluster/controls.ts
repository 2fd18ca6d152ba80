// The cluster-only controls as the catalog listing shows them (`bulwark controls`, docs/controls.md):
// the cross-object checks every `cluster scan` runs, and the one only etcd's answer evaluates.
import type { Control } from '../core/index.ts';
import { clusterChecks } from './checks.ts';
import { unencryptedAtRestControl } from './encryption.ts';

function controlOf(control: Control): Control {
  const { id, title, area, severity, frameworks, description, remediation } = control;
  return { id, title, area, severity, frameworks, description, remediation };
}

export const clusterControls: readonly Control[] = [...clusterChecks, unencryptedAtRestControl].map(controlOf);
