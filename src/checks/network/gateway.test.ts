// Gateway API attachment as the checks read it: listeners by sectionName and port, allowedRoutes,
// hostnames, and routes that only redirect.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createObjectSet } from '../../engine/object-set.ts';
import { runSetChecks } from '../../engine/run.ts';
import { objectsFromYaml } from '../../load/testing/objects.ts';
import { gatewayPlainHttpCheck, hostnamesIntersect } from './gateway.ts';

const settings = { pss: { level: 'restricted' as const, version: 'latest' as const } };

const gateway = (listener: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: infra}
spec:
  gatewayClassName: external
  listeners:
  - ${listener}
---
`;
const route = (namespace: string, spec: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: ${namespace}}
spec:
${spec}`;

function messages(text: string): string[] {
  return runSetChecks(createObjectSet(objectsFromYaml(text)), [gatewayPlainHttpCheck], { settings }).findings.map((finding) => finding.message);
}

describe('Gateway plain HTTP', () => {
  it('intersects hostnames as the Gateway API does', () => {
    assert.ok(hostnamesIntersect('shop.example.com', '*.example.com'));
    assert.ok(hostnamesIntersect('*.example.com', 'a.b.example.com'));
    assert.ok(!hostnamesIntersect('example.com', '*.example.com'));
    assert.ok(!hostnamesIntersect('shop.example.org', 'shop.example.com'));
  });

  it('follows allowedRoutes: other namespaces only when the listener admits them', () => {
    const spec = '  parentRefs: [{name: edge, namespace: infra}]\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n';
    assert.deepEqual(messages(`${gateway('{name: http, protocol: HTTP, port: 80}')}${route('shop', spec)}`), []);
    assert.deepEqual(messages(`${gateway('{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}')}${route('shop', spec)}`), [
      'HTTPRoute web serves its backends in plain HTTP through Gateway edge listener "http" (port 80)',
    ]);
    const selector = '{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {kubernetes.io/metadata.name: shop}}}}}';
    assert.equal(messages(`${gateway(selector)}${route('shop', spec)}`).length, 1);
    assert.equal(messages(`${gateway(selector)}${route('other', spec)}`).length, 0);
  });

  it('skips listeners a hostname, a port or a section name rules out, and routes that only redirect', () => {
    const listener = '{name: http, protocol: HTTP, port: 80, hostname: "*.example.org"}';
    const forward = (parent: string, hostnames = '') => `  parentRefs: [${parent}]\n${hostnames}  rules: [{backendRefs: [{name: web, port: 80}]}]\n`;
    assert.equal(messages(`${gateway(listener)}${route('infra', forward('{name: edge}', '  hostnames: [shop.example.com]\n'))}`).length, 0);
    assert.equal(messages(`${gateway(listener)}${route('infra', forward('{name: edge}', '  hostnames: [shop.example.org]\n'))}`).length, 1);
    assert.equal(messages(`${gateway(listener)}${route('infra', forward('{name: edge, port: 8080}'))}`).length, 0);
    assert.equal(messages(`${gateway(listener)}${route('infra', forward('{name: edge, sectionName: https}'))}`).length, 0);
    const redirect = '  parentRefs: [{name: edge}]\n  rules: [{filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]}]\n';
    assert.equal(messages(`${gateway(listener)}${route('infra', redirect)}`).length, 0);
  });
});
