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

/** The baseline policy plus the user's own ValidatingAdmissionPolicies and bindings, unchanged. */
export async function renderVap(options: { namespace: string; policyPaths: readonly string[] }): Promise<string> {
  const objects = podSecurityBaselinePolicy(['kube-system', 'kube-node-lease', options.namespace]);
  if (options.policyPaths.length > 0) {
    const loaded = await loadInputs(options.policyPaths);
    const error = loaded.diagnostics.find((diagnostic) => diagnostic.level === 'error');
    if (error !== undefined) throw new BulwarkError('E_INPUT', `${error.location?.file ?? ''}:${error.location?.line ?? ''}: ${error.message}`);
    for (const object of loaded.objects) {
      if (object.apiVersion.startsWith('admissionregistration.k8s.io/') && (object.kind === 'ValidatingAdmissionPolicy' || object.kind === 'ValidatingAdmissionPolicyBinding')) {
        objects.push(object.raw as Record<string, unknown>);
      }
    }
  }
  return toYamlStream(objects);
}
