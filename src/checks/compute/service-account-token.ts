// ServiceAccount tokens in pods. Whether a pod gets a token is decided by its own
// `automountServiceAccountToken` first, then by its ServiceAccount's: what needs both objects
// (a pod that is silent, a ServiceAccount that allows it) is a cross-object check; these read one.
import { fieldOf } from '../../podspec/index.ts';
import type { Check } from '../check.ts';
import { NO_VIOLATIONS, perPod, specPath } from './workload.ts';

export const serviceAccountTokenAutomountCheck: Check = {
  id: 'service-account-token-automount',
  title: 'Pod asks for its ServiceAccount token to be mounted',
  area: 'compute',
  severity: 'low',
  frameworks: {
    cis: ['5.1.6'],
    nsa: ['Pod security: protecting Pod service account tokens'],
    mitre: ['T1528'],
    kubescape: ['C-0034', 'C-0190'],
  },
  description:
    'With `automountServiceAccountToken: true` the pod gets an API token even when its ServiceAccount opts out, and anyone who compromises the pod can call ' +
    'the API server with that identity. Low: workloads that talk to the API need the token; the finding asks to confirm this one does.',
  remediation:
    'Remove the field (or set it to `false`) unless the workload calls the Kubernetes API; if it does, give it a dedicated ServiceAccount with the least RBAC it needs.',
  evaluate: perPod((pod, out) => {
    if (fieldOf(pod.spec, 'automountServiceAccountToken') !== true) return;
    out.push({
      path: specPath(pod, 'automountServiceAccountToken'),
      message: 'pod sets automountServiceAccountToken=true: every container gets an API token, whatever its ServiceAccount says',
    });
  }),
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      automountServiceAccountToken: false
      containers:
      - {name: web, image: web}
`,
    ],
    fail: [
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: sync}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: sync
          automountServiceAccountToken: true
          restartPolicy: Never
          containers:
          - {name: sync, image: sync}
`,
    ],
  },
};

export const defaultServiceAccountCheck: Check = {
  id: 'default-service-account',
  title: "Pod runs as its namespace's default ServiceAccount",
  area: 'compute',
  severity: 'low',
  frameworks: {
    cis: ['5.1.5'],
    nsa: ['Pod security: protecting Pod service account tokens'],
    mitre: ['T1528'],
  },
  description:
    "A pod that names no ServiceAccount runs as `default`, which every such pod of the namespace shares: a permission granted to one of them is granted to all, " +
    'and the token is mounted unless something opts out. Low: the default account has no permissions until someone binds one. Pods that set ' +
    '`automountServiceAccountToken: false` hold no token and are not reported (if the namespace\'s `default` ServiceAccount opts out instead, disable this control).',
  remediation:
    'Create a ServiceAccount per workload and set `serviceAccountName`; if the workload never calls the API, also set `automountServiceAccountToken: false`.',
  evaluate: perPod((pod, out) => {
    if (fieldOf(pod.spec, 'automountServiceAccountToken') === false) return;
    const name = fieldOf(pod.spec, 'serviceAccountName') ?? fieldOf(pod.spec, 'serviceAccount');
    if (name !== undefined && name !== '' && name !== 'default') return;
    out.push(
      name === 'default'
        ? { path: specPath(pod, 'serviceAccountName'), message: 'pod runs as the "default" ServiceAccount with its token mounted' }
        : { path: specPath(pod, 'serviceAccountName'), message: 'pod names no serviceAccountName, so it runs as "default" with its token mounted' },
    );
  }),
  fixtures: {
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  serviceAccountName: app
  containers:
  - {name: app, image: app}
`,
      `apiVersion: v1
kind: Pod
metadata: {name: static}
spec:
  automountServiceAccountToken: false
  containers:
  - {name: web, image: web}
`,
    ],
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - {name: app, image: app}
`,
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  serviceAccountName: default
  containers:
  - {name: app, image: app}
`,
    ],
  },
};

export const defaultServiceAccountAutomountCheck: Check = {
  id: 'default-service-account-automount',
  title: 'Default ServiceAccount mounts its token',
  area: 'compute',
  severity: 'low',
  frameworks: {
    cis: ['5.1.5'],
    nsa: ['Pod security: protecting Pod service account tokens'],
    mitre: ['T1528'],
    kubescape: ['C-0189', 'C-0225'],
  },
  description:
    "Every namespace's `default` ServiceAccount is used by each pod that names none; unless it sets `automountServiceAccountToken: false`, all those pods " +
    'carry an API token they rarely need. Low: the account has no permissions until someone binds one, but such bindings are easy to add by mistake.',
  remediation: 'Set `automountServiceAccountToken: false` on the `default` ServiceAccount of each namespace and give workloads that need the API their own account.',
  evaluate(context) {
    const { object } = context;
    if (object.kind !== 'ServiceAccount' || object.name !== 'default' || object.apiVersion !== 'v1') return NO_VIOLATIONS;
    const automount = fieldOf(object.raw, 'automountServiceAccountToken');
    if (automount === false) return NO_VIOLATIONS;
    return [
      {
        path: ['automountServiceAccountToken'],
        message:
          automount === true
            ? 'the default ServiceAccount sets automountServiceAccountToken=true'
            : 'the default ServiceAccount does not set automountServiceAccountToken=false, so pods that name no account get its token',
      },
    ];
  },
  fixtures: {
    pass: [
      `apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: shop}
automountServiceAccountToken: false
`,
      `apiVersion: v1
kind: ServiceAccount
metadata: {name: operator, namespace: shop}
`,
    ],
    fail: [
      `apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: shop}
`,
    ],
  },
};
