import type { Check } from '../check.ts';
import { containerRuntimeSocketCheck } from './container-runtime-socket.ts';
import { hostAliasesCheck, shareProcessNamespaceCheck } from './pod-sharing.ts';
import { livenessProbeMissingCheck, readinessProbeMissingCheck } from './probes.ts';
import { netRawCapabilityCheck } from './net-raw-capability.ts';
import { sysAdminCapabilityCheck } from './sys-admin-capability.ts';
import { readOnlyRootFilesystemCheck } from './read-only-root-filesystem.ts';
import { singleReplicaCheck } from './replicas.ts';
import {
  cpuLimitMissingCheck,
  cpuRequestMissingCheck,
  ephemeralStorageLimitMissingCheck,
  memoryLimitMissingCheck,
  memoryRequestMissingCheck,
  resourceOutOfRangeCheck,
} from './resources.ts';
import { runAsLowIdCheck, runAsRootGroupCheck } from './run-as-ids.ts';
import { sensitiveHostPathCheck } from './sensitive-host-path.ts';
import {
  defaultServiceAccountAutomountCheck,
  defaultServiceAccountCheck,
  serviceAccountTokenAutomountCheck,
} from './service-account-token.ts';
import { writableHostPathCheck } from './writable-host-path.ts';

/** The compute area's per-object checks, in the order they run and are listed: hardening, then resources. */
export const computeChecks: readonly Check[] = [
  containerRuntimeSocketCheck,
  sensitiveHostPathCheck,
  writableHostPathCheck,
  netRawCapabilityCheck,
  sysAdminCapabilityCheck,
  readOnlyRootFilesystemCheck,
  runAsLowIdCheck,
  runAsRootGroupCheck,
  serviceAccountTokenAutomountCheck,
  defaultServiceAccountCheck,
  defaultServiceAccountAutomountCheck,
  shareProcessNamespaceCheck,
  hostAliasesCheck,
  memoryLimitMissingCheck,
  memoryRequestMissingCheck,
  cpuRequestMissingCheck,
  cpuLimitMissingCheck,
  ephemeralStorageLimitMissingCheck,
  resourceOutOfRangeCheck,
  livenessProbeMissingCheck,
  readinessProbeMissingCheck,
  singleReplicaCheck,
];
