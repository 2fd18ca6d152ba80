// Policies from files and directories, read with the same loader as the scanned manifests (so
// positions, YAML 1.1 semantics and size limits are the same).
import { loadInputs, type LoadOptions } from '../load/index.ts';
import { compilePolicySet, type CompiledPolicySet } from './compile.ts';

/**
 * Loads every object under `paths` and compiles the ValidatingAdmissionPolicies and bindings among
 * them; the other objects (params, namespaces, CustomResourceDefinitions) travel with the set.
 * Loading problems and compile errors come back as diagnostics, never as exceptions.
 */
export async function loadPolicySet(paths: readonly string[], options: LoadOptions = {}): Promise<CompiledPolicySet> {
  const loaded = await loadInputs(paths, options);
  const compiled = compilePolicySet(loaded.objects);
  return { set: compiled.set, diagnostics: [...loaded.diagnostics, ...compiled.diagnostics] };
}
