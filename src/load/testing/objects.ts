// Test helper: YAML text → KubeObjects through the real loader, failing loudly on any diagnostic so a
// broken fixture never passes silently.
import type { KubeObject } from '../../core/index.ts';
import { documentsToObjects } from '../objects.ts';
import { parseYamlStream } from '../yaml.ts';

export function objectsFromYaml(text: string, file = 'fixture.yaml'): KubeObject[] {
  const parsed = parseYamlStream(text, file);
  if (parsed.errors.length > 0) throw new Error(`fixture ${file} does not parse: ${parsed.errors.map(String).join('; ')}`);
  const { objects, diagnostics } = documentsToObjects(parsed.documents, file);
  if (diagnostics.length > 0) throw new Error(`fixture ${file}: ${diagnostics.map((d) => d.message).join('; ')}`);
  return objects;
}
