// Probes tell the kubelet when to restart a container and when to send it traffic. They matter for
// containers that serve: pods that run to completion (Jobs, CronJobs, `restartPolicy` Never or
// OnFailure) are not checked, nor init or ephemeral containers.
import { fieldOf, type PodView } from '../../podspec/index.ts';
import type { Check } from '../check.ts';
import { containerLabel, containerPath, isLongRunning, optIn, perPod } from './workload.ts';

function runsToCompletion(pod: PodView): boolean {
  const policy = fieldOf(pod.spec, 'restartPolicy');
  return policy === 'Never' || policy === 'OnFailure';
}

function probeCheck(probe: 'livenessProbe' | 'readinessProbe', spec: Omit<Check, 'evaluate' | 'area'>): Check {
  return optIn({
    ...spec,
    area: 'compute',
    evaluate: perPod((pod, out) => {
      if (runsToCompletion(pod)) return;
      for (const container of pod.containers) {
        // Sidecars serve like regular containers, but only regular ones take Service traffic.
        if (probe === 'readinessProbe' ? container.group !== 'containers' : !isLongRunning(container)) continue;
        if (fieldOf(container.raw, probe) !== undefined) continue;
        out.push({ path: containerPath(container, probe), message: `${containerLabel(container)} has no ${probe}` });
      }
    }),
  });
}

const SERVING = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web
        livenessProbe: {httpGet: {path: /healthz, port: 8080}}
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
`;

const JOB = `apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: OnFailure
      containers:
      - {name: migrate, image: migrate}
`;

const BARE = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - {name: db, image: db}
`;

export const livenessProbeMissingCheck = probeCheck('livenessProbe', {
  id: 'liveness-probe-missing',
  title: 'Container has no liveness probe',
  severity: 'info',
  frameworks: { kubescape: ['C-0056'] },
  description:
    'Without a liveness probe a container that hangs (deadlock, exhausted pool) keeps running and is never restarted. Informational: it is about availability, ' +
    'not confidentiality or integrity, and a wrong liveness probe does more harm than none (restart loops under load).',
  remediation: 'Add a `livenessProbe` that fails only when a restart would help (a deadlock), not when a dependency is down.',
  fixtures: { pass: [SERVING, JOB], fail: [BARE] },
});

export const readinessProbeMissingCheck = probeCheck('readinessProbe', {
  id: 'readiness-probe-missing',
  title: 'Container has no readiness probe',
  severity: 'info',
  frameworks: { kubescape: ['C-0018'] },
  description:
    'Without a readiness probe a Service sends traffic to a container as soon as it starts, before it can answer, and keeps sending it while it is overloaded. ' +
    'Informational: it is about availability during rollouts and incidents.',
  remediation: 'Add a `readinessProbe` that succeeds when the container can serve requests.',
  fixtures: { pass: [SERVING, JOB], fail: [BARE] },
});
