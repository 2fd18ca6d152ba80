// Supply chain as the manifest states it: which image each container runs, from where, and whether
// that name can change under the cluster's feet. Every container is checked, init and ephemeral too.
// A reference the kubelet cannot parse is reported once, by image-reference-invalid; the other checks
// skip it rather than guess what it meant.
import { fieldOf, showValue } from '../../podspec/index.ts';
import type { Check } from '../check.ts';
import { containerLabel, containerPath, fixtureSettings, optIn, optionsOf, perPod } from '../compute/workload.ts';
import { floatingTag, imageText, parseImageCached } from './images.ts';
import { formatImageReference } from './image-reference.ts';
import { matchesRegistry, registryPatterns, type RegistryPattern } from './registry-pattern.ts';

const ANY = `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
`;
const podWith = (...containers: string[]): string => ANY + containers.map((line) => `  - ${line}\n`).join('');

const DIGEST = 'sha256:0d2b5f6a0f8e1f0e3b4c1a9e6f7d8c9b0a1b2c3d4e5f60718293a4b5c6d7e8f9';

export const imageReferenceInvalidCheck: Check = {
  id: 'image-reference-invalid',
  title: 'Image reference the kubelet cannot parse',
  area: 'distribute',
  severity: 'low',
  frameworks: {},
  description:
    'The kubelet refuses an image reference outside the distribution grammar (uppercase repository, bad digest, unsupported digest algorithm, ' +
    'invalid registry host) and the pod never starts (`InvalidImageName`). Low: nothing insecure runs, but no registry, tag or digest rule can be ' +
    'judged on such a name, so the other image controls skip it.',
  remediation: 'Write the reference as `registry/repository:tag@sha256:<64 lowercase hex>`, with a lowercase repository.',
  evaluate: perPod((pod, out) => {
    for (const container of pod.containers) {
      const image = fieldOf(container.raw, 'image');
      if (image === undefined) continue;
      const result = typeof image === 'string' ? parseImageCached(image) : undefined;
      if (result?.ok === true) continue;
      out.push({
        path: containerPath(container, 'image'),
        message: `${containerLabel(container)} image ${showValue(image)} is not a valid reference: ${result?.error.message ?? 'it is not a string'}`,
      });
    }
  }),
  fixtures: {
    pass: [podWith('{name: app, image: "registry.example.com:5000/team/app:1.0"}', '{name: hub, image: nginx}')],
    fail: [podWith('{name: app, image: "Team/App:1.0"}'), podWith(`{name: app, image: "nginx@sha256:${'A'.repeat(64)}"}`)],
  },
};

export const imageNotPinnedCheck: Check = optIn({
  id: 'image-not-pinned',
  title: 'Image not pinned to a digest',
  area: 'distribute',
  severity: 'low',
  frameworks: {
    nsa: ['Pod security: building secure container images'],
    mitre: ['T1525'],
    kubescape: ['C-0306'],
  },
  description:
    'A tag is a name the registry may point at other content at any time: the image that was scanned and approved is not necessarily the one a node pulls ' +
    'next. A digest (`@sha256:…`) names exact bytes. Low: it matters when the registry or a publisher is compromised or careless, and signature ' +
    'verification at admission closes the same gap.',
  remediation: 'Reference images by digest (`repository:tag@sha256:…`; the tag is kept for readers), and let a bot such as Renovate update the digests.',
  evaluate: perPod((pod, out) => {
    for (const container of pod.containers) {
      const text = imageText(container);
      if (text === undefined) continue;
      const result = parseImageCached(text);
      if (!result.ok || result.reference.digest !== undefined) continue;
      out.push({ path: containerPath(container, 'image'), message: `${containerLabel(container)} image ${showValue(text)} is not pinned to a digest` });
    }
  }),
  fixtures: {
    pass: [podWith(`{name: app, image: "registry.example.com/app:1.4@${DIGEST}"}`, `{name: db, image: "postgres@${DIGEST}"}`)],
    fail: [podWith('{name: app, image: "registry.example.com/app:1.4"}')],
  },
});

export const imageLatestTagCheck: Check = {
  id: 'image-latest-tag',
  title: 'Image uses latest, a floating tag, or no tag',
  area: 'distribute',
  severity: 'medium',
  frameworks: {
    nsa: ['Pod security: building secure container images'],
    mitre: ['T1525'],
  },
  description:
    '`latest` (which an image without tag or digest means) and other floating tags move with every release: what runs is whatever the tag pointed to ' +
    'when each node pulled, nodes may run different versions, and a rollback cannot name the old one. Medium: an unreviewed image reaches production ' +
    'on the next restart. Tags listed in `checks.images.floatingTags` count as floating too; a digest pins the image and is never reported.',
  remediation: 'Use a version tag that is never reused (`1.27.3`), or better a digest.',
  evaluate: perPod((pod, out, context) => {
    const floating = optionsOf(context).images.floatingTags;
    for (const container of pod.containers) {
      const text = imageText(container);
      if (text === undefined) continue;
      const tag = floatingTag(parseImageCached(text), floating);
      if (tag === undefined) continue;
      out.push({
        path: containerPath(container, 'image'),
        message:
          tag === ''
            ? `${containerLabel(container)} image ${showValue(text)} has no tag, so it pulls "latest"`
            : `${containerLabel(container)} image ${showValue(text)} uses the floating tag "${tag}"`,
      });
    }
  }),
  fixtures: {
    pass: [podWith('{name: app, image: "nginx:1.27.3"}', `{name: pinned, image: "nginx:latest@${DIGEST}"}`)],
    fail: [podWith('{name: app, image: nginx}'), podWith('{name: app, image: "localhost:5000/app:latest"}')],
  },
};

export const imagePullPolicyCheck: Check = {
  id: 'image-pull-policy-stale',
  title: 'Floating image tag with a pull policy that keeps stale images',
  area: 'distribute',
  severity: 'low',
  frameworks: { mitre: ['T1525'], kubescape: ['C-0075'] },
  description:
    'With `latest` (or no tag, or a configured floating tag) and `imagePullPolicy: IfNotPresent` or `Never`, each node keeps running whatever it pulled first: ' +
    'a fixed image never reaches nodes that already have the tag, and nodes disagree on what the workload is. Low: availability and patching, not a direct ' +
    'exposure. Kubernetes already defaults the policy to `Always` for such tags, so only an explicit setting is reported; pinned images are never reported.',
  remediation: 'Pin the image to a version tag or a digest; or, if it must float, remove `imagePullPolicy` (the default is then `Always`).',
  evaluate: perPod((pod, out, context) => {
    const floating = optionsOf(context).images.floatingTags;
    for (const container of pod.containers) {
      const policy = fieldOf(container.raw, 'imagePullPolicy');
      if (policy !== 'IfNotPresent' && policy !== 'Never') continue;
      const text = imageText(container);
      if (text === undefined) continue;
      const tag = floatingTag(parseImageCached(text), floating);
      if (tag === undefined) continue;
      out.push({
        path: containerPath(container, 'imagePullPolicy'),
        message: `${containerLabel(container)} pulls ${showValue(text)} (${tag === '' ? 'no tag: latest' : `floating tag "${tag}"`}) with imagePullPolicy ${policy}`,
      });
    }
  }),
  fixtures: {
    pass: [
      podWith('{name: app, image: "nginx:latest", imagePullPolicy: Always}', '{name: b, image: "nginx:1.27", imagePullPolicy: IfNotPresent}', '{name: c, image: nginx}'),
    ],
    fail: [podWith('{name: app, image: "nginx:latest", imagePullPolicy: IfNotPresent}'), podWith('{name: app, image: redis, imagePullPolicy: Never}')],
  },
};

/** Registries that anyone can publish to or that serve the public; an organisation mirrors from them. */
const PUBLIC_REGISTRIES: readonly string[] = [
  'docker.io',
  'quay.io',
  'ghcr.io',
  'gcr.io',
  '*.gcr.io',
  'registry.k8s.io',
  'k8s.gcr.io',
  'public.ecr.aws',
  'mcr.microsoft.com',
  'registry.gitlab.com',
  'nvcr.io',
  'docker.elastic.co',
  'registry.access.redhat.com',
];

function firstMatch(patterns: readonly RegistryPattern[], reference: Parameters<typeof matchesRegistry>[1]): RegistryPattern | undefined {
  for (const pattern of patterns) if (matchesRegistry(pattern, reference)) return pattern;
  return undefined;
}

const WITH_REGISTRIES = fixtureSettings({
  images: {
    allowedRegistries: ['registry.example.com', '*.corp.example', 'docker.io/bitnami'],
    privateRegistries: ['registry.example.com', 'gcr.io/acme-prod'],
    floatingTags: ['latest'],
  },
});

export const imageRegistryNotAllowedCheck: Check = {
  id: 'image-registry-not-allowed',
  title: 'Image from a registry outside the allow-list',
  area: 'distribute',
  severity: 'high',
  frameworks: {
    cis: ['5.5.1'],
    nsa: ['Pod security: building secure container images'],
    mitre: ['T1525'],
    kubescape: ['C-0078'],
  },
  description:
    'When `.bulwark.yaml` lists `checks.images.allowedRegistries`, every image must come from one of them (a host, `*.domain`, or a repository prefix ' +
    'such as `docker.io/bitnami`). High: an image from elsewhere bypasses the scanning, signing and retention the organisation applies to its registries. ' +
    'Does nothing until the list is configured.',
  remediation: 'Mirror the image into an allowed registry and reference it there, or add its registry to `checks.images.allowedRegistries` after review.',
  evaluate: perPod((pod, out, context) => {
    const allowed = optionsOf(context).images.allowedRegistries;
    if (allowed.length === 0) return;
    const patterns = registryPatterns(allowed);
    for (const container of pod.containers) {
      const text = imageText(container);
      if (text === undefined) continue;
      const result = parseImageCached(text);
      if (!result.ok || firstMatch(patterns, result.reference) !== undefined) continue;
      out.push({
        path: containerPath(container, 'image'),
        message: `${containerLabel(container)} image ${showValue(text)} comes from ${result.reference.domain}/${result.reference.path}, outside the allowed registries`,
      });
    }
  }),
  fixtures: {
    settings: WITH_REGISTRIES,
    pass: [podWith('{name: a, image: "registry.example.com/team/app:1.0"}', '{name: b, image: "eu.corp.example/x:1"}', '{name: c, image: "bitnami/redis:7"}')],
    fail: [podWith('{name: a, image: "nginx:1.27"}'), podWith('{name: a, image: "docker.io/bitnamix/redis:7"}'), podWith('{name: a, image: "corp.example/x:1"}')],
  },
};

export const imagePublicRegistryCheck: Check = {
  id: 'image-public-registry',
  title: 'Image pulled from a public registry',
  area: 'distribute',
  severity: 'medium',
  frameworks: {
    nsa: ['Pod security: building secure container images'],
    mitre: ['T1525'],
    kubescape: ['C-0001'],
  },
  description:
    'When `.bulwark.yaml` names the organisation\'s `checks.images.privateRegistries`, images pulled straight from public registries (Docker Hub, Quay, GHCR, ' +
    'GCR, registry.k8s.io, public ECR, MCR and others) are reported: their content is controlled by third parties, they skip the private registry\'s scanning, ' +
    'and pulls fail when the public registry limits or loses them. Medium: a supply-chain exposure rather than a direct one. Images matching a private ' +
    'entry (such as `gcr.io/my-project`) are never reported; nothing is reported until private registries are configured.',
  remediation: 'Mirror the image into the private registry (a pull-through cache works) and reference the mirror.',
  evaluate: perPod((pod, out, context) => {
    const privateRegistries = optionsOf(context).images.privateRegistries;
    if (privateRegistries.length === 0) return;
    const mine = registryPatterns(privateRegistries);
    const publicOnes = registryPatterns(PUBLIC_REGISTRIES);
    for (const container of pod.containers) {
      const text = imageText(container);
      if (text === undefined) continue;
      const result = parseImageCached(text);
      if (!result.ok || firstMatch(mine, result.reference) !== undefined) continue;
      const publicOne = firstMatch(publicOnes, result.reference);
      if (publicOne === undefined) continue;
      out.push({
        path: containerPath(container, 'image'),
        message: `${containerLabel(container)} image ${showValue(text)} is pulled from the public registry ${result.reference.domain} (${formatImageReference(result.reference)})`,
      });
    }
  }),
  fixtures: {
    settings: WITH_REGISTRIES,
    pass: [podWith('{name: a, image: "registry.example.com/nginx:1.27"}', '{name: b, image: "gcr.io/acme-prod/api:2"}', '{name: c, image: "vendor.example.net/tool:1"}')],
    fail: [podWith('{name: a, image: "nginx:1.27"}'), podWith('{name: a, image: "us.gcr.io/distroless/static:nonroot"}')],
  },
};
