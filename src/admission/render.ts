// The manifests `admission install` prints, as one multi-document YAML stream.
import { dump } from 'js-yaml';
import { loadInputs } from '../load/index.ts';
import { BulwarkError } from '../core/index.ts';
import { installManifests, type InstallOptions } from './install.ts';
import { podSecurityBaselinePolicy } from './vap.ts';

export function toYamlStream(objects: readonly Record<string, unknown>[]): string {
  return objects.map((object) => `---\n${dump(object, { lineWidth: -1, noRefs: true })}`).join('');
}

export async function renderInstall(options: InstallOptions): Promise<string> {
  return toYamlStream(await installManifests(options));
}

/** The ValidatingAdmissionPolicies and bindings under `paths`, unchanged. */
export async function userPolicies(paths: readonly string[]): Promise<Record<string, unknown>[]> {
  if (paths.length === 0) return [];
  const loaded = await loadInputs(paths);
  const error = loaded.diagnostics.find((diagnostic) => diagnostic.level === 'error');
  if (error !== undefined) {
    // The loader's read errors already name the file ("cannot read X: …"): name it only once.
    const { location } = error;
    const named = location.line === undefined && error.message.includes(location.file);
    throw new BulwarkError('E_INPUT', error.message, named ? { cause: error } : { location, cause: error });
  }
  return loaded.objects
    .filter((object) => object.apiVersion.startsWith('admissionregistration.k8s.io/') && (object.kind === 'ValidatingAdmissionPolicy' || object.kind === 'ValidatingAdmissionPolicyBinding'))
    .map((object) => object.raw as Record<string, unknown>);
}

/** The baseline policy plus the user's own ValidatingAdmissionPolicies and bindings. */
export async function renderVap(options: { namespace: string; policyPaths: readonly string[] }): Promise<string> {
  return toYamlStream([...podSecurityBaselinePolicy(['kube-system', 'kube-node-lease', options.namespace]), ...(await userPolicies(options.policyPaths))]);
}
