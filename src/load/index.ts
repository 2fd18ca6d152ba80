// The loading layer's public surface: inputs → Kubernetes objects with source positions.
export type { Diagnostic } from './diagnostic.ts';
export { documentsToObjects, type ObjectsOutcome } from './objects.ts';
export type { HelmInput } from './render.ts';
export { discoverInputs, loadInputs, STDIN, streamInputs, type DiscoveredInputs, type LoadedUnit, type LoadInputs, type LoadOptions, type LoadResult } from './sources.ts';
export { parseYamlStream, type ParsedDocument, type ParseOutcome } from './yaml.ts';
