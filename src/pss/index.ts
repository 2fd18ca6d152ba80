export { evaluatePod, type PssEvaluation } from './evaluate.ts';
export {
  PSS_DEFINITIONS,
  pssCheckByUpstreamId,
  pssChecks,
  pssChecksFor,
  pssFixtureSettings,
  type PssCheck,
} from './catalog.ts';
export type { PodRule, PssCheckDefinition, PssRevision } from './definition.ts';
export {
  comparePssVersions,
  isPssVersion,
  parsePssVersion,
  PSS_LATEST,
  PSS_NEWEST_MINOR,
  PSS_VERSIONS,
  pssAtLeast,
  pssMinor,
  type PssVersion,
} from './version.ts';
