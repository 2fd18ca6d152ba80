import type { Violation } from '../../checks/check.ts';
import { asFields, fieldOf, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import { containerLabel, containerSetting, containerSettingPath, podSetting, podSettingPath } from './common.ts';

function hostProcessSet(windowsOptions: unknown): boolean {
  return fieldOf(asFields(windowsOptions), 'hostProcess') === true;
}

function windowsHostProcess(pod: PodView, out: Violation[]): void {
  if (hostProcessSet(podSetting(pod, 'windowsOptions'))) {
    out.push({
      path: podSettingPath(pod, 'windowsOptions', 'hostProcess'),
      message: 'pod sets securityContext.windowsOptions.hostProcess=true',
    });
  }
  for (const container of pod.containers) {
    if (!hostProcessSet(containerSetting(container, 'windowsOptions'))) continue;
    out.push({
      path: containerSettingPath(container, 'windowsOptions', 'hostProcess'),
      message: `${containerLabel(container)} sets securityContext.windowsOptions.hostProcess=true`,
    });
  }
}

export const windowsHostProcessCheck: PssCheckDefinition = {
  id: 'pss-windows-host-process',
  upstreamId: 'windowsHostProcess',
  level: 'baseline',
  title: 'Windows HostProcess container',
  severity: 'high',
  frameworks: {
    cis: ['5.2.11'],
    nsa: ['Pod security: pod security enforcement'],
    mitre: ['T1611'],
  },
  description:
    "A Windows HostProcess container runs directly on the node as a host process, with the node's network and filesystem: the Windows equivalent of a privileged container.",
  remediation: 'Remove `securityContext.windowsOptions.hostProcess` (pod and containers) or set it to `false`.',
  revisions: [{ since: 0, rule: windowsHostProcess }],
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: iis}
spec:
  selector: {matchLabels: {app: iis}}
  template:
    metadata: {labels: {app: iis}}
    spec:
      os: {name: windows}
      securityContext:
        windowsOptions: {runAsUserName: ContainerUser}
      containers:
      - {name: iis, image: mcr.microsoft.com/windows/servercore/iis}
`,
    ],
    fail: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: win-agent}
spec:
  selector: {matchLabels: {app: win-agent}}
  template:
    metadata: {labels: {app: win-agent}}
    spec:
      os: {name: windows}
      hostNetwork: true
      securityContext:
        windowsOptions: {hostProcess: true, runAsUserName: "NT AUTHORITY\\\\SYSTEM"}
      containers:
      - {name: agent, image: agent}
`,
    ],
  },
};
