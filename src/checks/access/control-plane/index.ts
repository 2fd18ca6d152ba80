import type { Check } from '../../check.ts';
import { apiServerChecks } from './apiserver.ts';
import { auditPolicyChecks } from './audit-policy-checks.ts';
import { controllerManagerChecks } from './controller-manager.ts';
import { encryptionChecks } from './encryption.ts';
import { etcdChecks } from './etcd.ts';
import { kubeletChecks } from './kubelet-config.ts';
import { schedulerChecks } from './scheduler.ts';

/** Control-plane static pods, kubelet configuration files, encryption configuration files and audit policies. */
export const controlPlaneChecks: readonly Check[] = [
  ...apiServerChecks,
  ...controllerManagerChecks,
  ...schedulerChecks,
  ...etcdChecks,
  ...kubeletChecks,
  ...encryptionChecks,
  ...auditPolicyChecks,
];
