import type { Violation } from '../../checks/check.ts';
import { asFields, asList, fieldOf, showValue, type Fields, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';

/** Volume sources a pod may use at restricted: none of them reaches node or network storage directly. */
const ALLOWED_SOURCES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
] as const;

/** Every other in-tree source, in the order the admission check names them. */
const RESTRICTED_SOURCES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
] as const;

function restrictedSource(volume: Fields): string | undefined {
  for (const source of ALLOWED_SOURCES) if (fieldOf(volume, source) !== undefined) return undefined;
  for (const source of RESTRICTED_SOURCES) if (fieldOf(volume, source) !== undefined) return source;
  // A volume naming no source is defaulted to emptyDir by the API server before admission sees it.
  return undefined;
}

function restrictedVolumes(pod: PodView, out: Violation[]): void {
  const volumes = asList(fieldOf(pod.spec, 'volumes'));
  if (volumes === undefined) return;
  for (let i = 0; i < volumes.length; i++) {
    const volume = asFields(volumes[i]);
    if (volume === undefined) continue;
    const source = restrictedSource(volume);
    if (source === undefined) continue;
    out.push({
      path: [...pod.specPath, 'volumes', i, source],
      message: `volume ${showValue(fieldOf(volume, 'name') ?? i)} uses restricted volume type ${source}`,
    });
  }
}

export const restrictedVolumesCheck: PssCheckDefinition = {
  id: 'pss-restricted-volumes',
  upstreamId: 'restrictedVolumes',
  level: 'restricted',
  title: 'Volume type not allowed at restricted',
  severity: 'medium',
  frameworks: {
    cis: ['5.2.12'],
    nsa: ['Pod security: pod security enforcement'],
    mitre: ['T1611'],
    kubescape: ['C-0048'],
  },
  description:
    'Restricted pods may only use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes; other inline sources reach node paths or storage systems directly, outside the cluster\'s storage policy.',
  remediation:
    'Replace inline volume sources (hostPath, nfs, iscsi, cephfs, …) with a PersistentVolumeClaim bound to a PersistentVolume, or with one of the allowed types.',
  revisions: [{ since: 0, rule: restrictedVolumes, overrides: ['hostPathVolumes'] }],
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      volumes:
      - {name: config, configMap: {name: db}}
      - {name: data, persistentVolumeClaim: {claimName: data}}
      - {name: tmp, emptyDir: {}}
      containers:
      - {name: db, image: postgres}
`,
    ],
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: files}
spec:
  selector: {matchLabels: {app: files}}
  template:
    metadata: {labels: {app: files}}
    spec:
      volumes:
      - name: share
        nfs: {server: nfs.example.com, path: /exports}
      containers:
      - {name: files, image: files}
`,
    ],
  },
};
