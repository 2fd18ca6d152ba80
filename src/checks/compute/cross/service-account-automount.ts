// Pods that say nothing about their API token get one unless their ServiceAccount opts out: the
// decision needs both objects. Reported only when the set shows what the account says, so a
// manifest that ships its pods without their accounts is not accused of what it cannot show.
import { fieldOf } from '../../../podspec/index.ts';
import type { SetCheck } from '../../check.ts';
import { workloadIndex } from '../../network/workloads.ts';

function accountName(spec: Readonly<Record<string, unknown>>): string {
  const name = fieldOf(spec, 'serviceAccountName') ?? fieldOf(spec, 'serviceAccount');
  return typeof name === 'string' && name !== '' ? name : 'default';
}

const sa = (name: string, extra = '') => `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${name}, namespace: shop}\n${extra}`;
const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n${spec}  containers:\n  - {name: web, image: web}\n`;

export const serviceAccountTokenAutomountDefaultCheck: SetCheck = {
  id: 'service-account-token-automount-default',
  title: 'Pod gets its ServiceAccount token by default',
  area: 'compute',
  severity: 'low',
  frameworks: {
    cis: ['5.1.6'],
    nsa: ['Pod security: protecting Pod service account tokens'],
    mitre: ['T1528'],
    kubescape: ['C-0034', 'C-0190'],
  },
  description:
    'A pod that does not set `automountServiceAccountToken` gets an API token in every container unless its ServiceAccount sets `automountServiceAccountToken: false`. ' +
    'Reported only when the set shows the account: its ServiceAccount object (same namespace), or for `default`, which the API server creates without the field, ' +
    'the Namespace object with no `default` ServiceAccount overriding it. A pod whose account is defined elsewhere is not judged. Low: workloads that call the API need the token.',
  remediation:
    'Set `automountServiceAccountToken: false` on the pod template, or on the ServiceAccount, unless the workload calls the Kubernetes API; if it does, set it to `true` on the pod to make that explicit.',
  kinds: ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'ServiceAccount', 'Namespace'],
  *evaluateSet(set) {
    for (const workload of workloadIndex(set).all) {
      if (typeof fieldOf(workload.spec, 'automountServiceAccountToken') === 'boolean') continue;
      const name = accountName(workload.spec);
      const account = set.find('ServiceAccount', workload.namespace, name);
      let because: string;
      if (account !== undefined) {
        const automount = account.raw['automountServiceAccountToken'];
        if (automount === false) continue;
        because = automount === true ? `ServiceAccount ${name} sets automountServiceAccountToken=true` : `ServiceAccount ${name} does not set automountServiceAccountToken=false`;
      } else {
        // The API server creates `default` without the field; judged only where the set defines the namespace.
        if (name !== 'default' || workload.namespace === null || set.find('Namespace', null, workload.namespace) === undefined) continue;
        because = `namespace ${workload.namespace} gets a default ServiceAccount without automountServiceAccountToken=false`;
      }
      yield {
        object: workload.object,
        path: [...workload.specPath, 'automountServiceAccountToken'],
        message: `pod template does not set automountServiceAccountToken and ${because}: every container gets an API token`,
      };
    }
  },
  fixtures: {
    fail: [
      `${sa('web')}---\n${pod('  serviceAccountName: web\n')}`,
      `${sa('web', 'automountServiceAccountToken: true\n')}---\n${pod('  serviceAccountName: web\n')}`,
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n${pod('')}`,
    ],
    pass: [
      `${sa('web', 'automountServiceAccountToken: false\n')}---\n${pod('  serviceAccountName: web\n')}`,
      `${sa('web')}---\n${pod('  serviceAccountName: web\n  automountServiceAccountToken: false\n')}`,
      // Explicit true is the per-pod control's (service-account-token-automount) to report.
      `${sa('web')}---\n${pod('  serviceAccountName: web\n  automountServiceAccountToken: true\n')}`,
      // The account is not in the set: nothing to judge.
      pod('  serviceAccountName: web\n'),
      pod(''),
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n${sa('default', 'automountServiceAccountToken: false\n')}---\n${pod('')}`,
    ],
  },
};
