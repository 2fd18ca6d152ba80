import type { Check } from '../check.ts';
import { secretAsEnvCheck, secretInArgsCheck, secretInConfigMapCheck, secretInEnvCheck, secretInManifestCheck } from './secret-checks.ts';

/** The storage area's per-object checks, in the order they run and are listed. */
export const storageChecks: readonly Check[] = [secretInManifestCheck, secretInEnvCheck, secretInArgsCheck, secretInConfigMapCheck, secretAsEnvCheck];
