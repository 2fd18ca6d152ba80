// The recommended audit Policy: a valid audit.k8s.io/v1 Policy (the API server itself accepts it in
// test/integration/audit-webhook.test.ts) whose first matching rule gives Secrets and tokens
// Metadata only, RBAC changes RequestResponse, created pods their request body, and which keeps the
// ResponseStarted stage exec detection needs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recommendedAuditPolicy } from './policy.ts';

interface PolicyRule {
  level: string;
  verbs?: string[];
  users?: string[];
  resources?: { group?: string; resources?: string[] }[];
  nonResourceURLs?: string[];
}

/** The level of the first rule matching a resource request (the API server's order). */
function levelFor(rules: PolicyRule[], request: { group: string; resource: string; verb: string; user?: string }): string {
  for (const rule of rules) {
    if (rule.nonResourceURLs !== undefined) continue;
    if (rule.verbs !== undefined && !rule.verbs.includes(request.verb)) continue;
    if (rule.users !== undefined && !rule.users.includes(request.user ?? 'alice')) continue;
    if (rule.resources !== undefined && !rule.resources.some((r) => (r.group ?? '') === request.group && (r.resources === undefined || r.resources.includes(request.resource)))) continue;
    return rule.level;
  }
  return 'None';
}

describe('recommended audit policy', () => {
  const policy = recommendedAuditPolicy() as { apiVersion: string; kind: string; omitStages: string[]; rules: PolicyRule[] };

  it('is an audit.k8s.io/v1 Policy that keeps ResponseStarted', () => {
    assert.equal(policy.apiVersion, 'audit.k8s.io/v1');
    assert.equal(policy.kind, 'Policy');
    assert.deepEqual(policy.omitStages, ['RequestReceived']);
  });

  it('logs credentials at Metadata only, whatever the verb', () => {
    for (const verb of ['get', 'list', 'create', 'update', 'patch', 'delete']) {
      assert.equal(levelFor(policy.rules, { group: '', resource: 'secrets', verb }), 'Metadata', `secrets ${verb}`);
      assert.equal(levelFor(policy.rules, { group: '', resource: 'serviceaccounts/token', verb }), 'Metadata', `token ${verb}`);
      assert.equal(levelFor(policy.rules, { group: 'authentication.k8s.io', resource: 'tokenreviews', verb }), 'Metadata');
    }
  });

  it('logs RBAC changes in full and created objects with their body', () => {
    assert.equal(levelFor(policy.rules, { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', verb: 'create' }), 'RequestResponse');
    assert.equal(levelFor(policy.rules, { group: 'rbac.authorization.k8s.io', resource: 'roles', verb: 'patch' }), 'RequestResponse');
    assert.equal(levelFor(policy.rules, { group: 'rbac.authorization.k8s.io', resource: 'roles', verb: 'list' }), 'Metadata');
    assert.equal(levelFor(policy.rules, { group: 'certificates.k8s.io', resource: 'certificatesigningrequests/approval', verb: 'update' }), 'RequestResponse');
    for (const [group, resource] of [['', 'pods'], ['apps', 'deployments'], ['', 'configmaps'], ['', 'services']]) assert.equal(levelFor(policy.rules, { group: group!, resource: resource!, verb: 'create' }), 'Request', resource);
    assert.equal(levelFor(policy.rules, { group: '', resource: 'pods', verb: 'get' }), 'Metadata');
    assert.equal(levelFor(policy.rules, { group: '', resource: 'events', verb: 'create' }), 'None');
  });
});
