import type { Check } from '../check.ts';
import {
  imageLatestTagCheck,
  imageNotPinnedCheck,
  imagePublicRegistryCheck,
  imagePullPolicyCheck,
  imageReferenceInvalidCheck,
  imageRegistryNotAllowedCheck,
} from './image-checks.ts';

/** The distribute area's per-object checks, in the order they run and are listed. */
export const distributeChecks: readonly Check[] = [
  imageReferenceInvalidCheck,
  imageRegistryNotAllowedCheck,
  imagePublicRegistryCheck,
  imageLatestTagCheck,
  imagePullPolicyCheck,
  imageNotPinnedCheck,
];
