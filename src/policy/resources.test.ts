import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { parseFieldPath } from './field-path.ts';
import { guessResource, ResourceMapper } from './resources.ts';
import { labelsOf, matchesLabels, parseLabelSelector, SelectorError } from './selector.ts';

describe('ResourceMapper', () => {
  it('knows built-in kinds, learns CRDs from the input, and falls back to the API machinery guess', () => {
    const mapper = new ResourceMapper(
      objectsFromYaml(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: certificates.cert-manager.io}
spec:
  group: cert-manager.io
  scope: Namespaced
  names: {kind: Certificate, plural: certificates}
`),
    );
    assert.deepEqual(mapper.describe('apps/v1', 'Deployment'), { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, source: 'builtin' });
    assert.equal(mapper.describe('v1', 'Namespace').namespaced, false);
    assert.equal(mapper.describe('rbac.authorization.k8s.io/v1', 'ClusterRole').namespaced, false);
    assert.deepEqual(mapper.describe('cert-manager.io/v1', 'Certificate').source, 'crd');
    assert.deepEqual(mapper.describe('example.com/v1', 'Policy'), { group: 'example.com', version: 'v1', kind: 'Policy', resource: 'policies', namespaced: true, source: 'guess' });
  });

  it('guesses plurals as the API machinery does', () => {
    assert.equal(guessResource('Ingress'), 'ingresses');
    // The guess is the API machinery's, quirks included; a CRD in the input gives the real plural.
    assert.equal(guessResource('Gateway'), 'gatewaies');
    assert.equal(guessResource('Policy'), 'policies');
    assert.equal(guessResource('Widget'), 'widgets');
  });
});

describe('label selectors', () => {
  it('matchLabels and every operator', () => {
    const selector = parseLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(matchesLabels(selector, { app: 'web', tier: 'a', team: 'x' }), true);
    assert.equal(matchesLabels(selector, { app: 'web', tier: 'c', team: 'x' }), false);
    assert.equal(matchesLabels(selector, { app: 'web', tier: 'a', team: 'x', env: 'dev' }), false);
    assert.equal(matchesLabels(selector, { app: 'web', tier: 'a' }), false);
    assert.equal(matchesLabels(selector, { app: 'web', tier: 'a', team: 'x', legacy: '1' }), false);
    assert.equal(matchesLabels(parseLabelSelector({}), {}), true);
    assert.equal(matchesLabels(parseLabelSelector(undefined), { any: 'x' }), true);
  });

  it('names the field of a bad selector', () => {
    assert.throws(() => parseLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Maybe' }] }), (e: unknown) => e instanceof SelectorError && e.path.join('.') === 'matchExpressions.0.operator');
    assert.throws(() => parseLabelSelector({ matchLabels: { a: 1 } }), SelectorError);
    assert.throws(() => parseLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), /must be empty/);
  });

  it('reads string labels only', () => {
    assert.deepEqual(labelsOf({ metadata: { labels: { a: 'b', n: 1 } } }), { a: 'b' });
    assert.deepEqual(labelsOf({}), {});
  });
});

describe('fieldPath', () => {
  it('parses dotted fields, indexes and quoted keys', () => {
    assert.deepEqual(parseFieldPath('spec.containers[0].image'), ['spec', 'containers', 0, 'image']);
    assert.deepEqual(parseFieldPath("metadata.labels['app.kubernetes.io/name']"), ['metadata', 'labels', 'app.kubernetes.io/name']);
    assert.deepEqual(parseFieldPath('metadata.annotations["a b"]'), ['metadata', 'annotations', 'a b']);
    for (const bad of ['spec..x', 'spec[', 'spec[x]', "spec['x", '.spec', 'spec.']) assert.throws(() => parseFieldPath(bad), Error, bad);
  });
});
