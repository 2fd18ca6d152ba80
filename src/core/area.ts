/**
 * The seed's areas (DESIGN.md §1). Every control belongs to exactly one, so a report can be read
 * along the lifecycle: develop → distribute → deploy, then the runtime areas.
 */
export const AREAS = [
  'develop',
  'distribute',
  'deploy',
  'access',
  'compute',
  'storage',
  'network',
  'observability',
] as const;
export type Area = (typeof AREAS)[number];

export const AREA_TITLES: Readonly<Record<Area, string>> = {
  develop: 'Develop',
  distribute: 'Distribute',
  deploy: 'Deploy',
  access: 'Access protection',
  compute: 'Compute protection',
  storage: 'Storage protection',
  network: 'Networking',
  observability: 'Observability',
};
