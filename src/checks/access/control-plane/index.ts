import type { Check } from '../../check.ts';
import { apiServerChecks } from './apiserver.ts';
import { controllerManagerChecks } from './controller-manager.ts';
import { encryptionChecks } from './encryption.ts';
import { etcdChecks } from './etcd.ts';
import { kubeletChecks } from './kubelet-config.ts';
import { schedulerChecks } from './scheduler.ts';

/** Control-plane static pods, kubelet configuration files and encryption configuration files. */
export const controlPlaneChecks: readonly Check[] = [
  ...apiServerChecks,
  ...controllerManagerChecks,
  ...schedulerChecks,
  ...etcdChecks,
  ...kubeletChecks,
  ...encryptionChecks,
];
