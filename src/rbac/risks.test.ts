import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PolicyRule } from './model.ts';
import { describeGrant, riskyGrants, ruleGrantsRisk, RISKY_PERMISSION_BY_ID, type RiskId } from './risks.ts';

function rule(partial: Partial<PolicyRule>): PolicyRule {
  return { verbs: [], apiGroups: [''], resources: [], resourceNames: [], nonResourceURLs: [], ...partial };
}

function ids(r: PolicyRule): RiskId[] {
  return riskyGrants(r).map((grant) => grant.risk.id);
}

describe('risky permissions', () => {
  it('finds each one by what the authorizer would allow', () => {
    const cases: [Partial<PolicyRule>, RiskId[]][] = [
      [{ resources: ['secrets'], verbs: ['watch'] }, ['secrets-read']],
      [{ resources: ['pods/exec'], verbs: ['create'] }, ['pod-exec']],
      [{ resources: ['pods/attach'], verbs: ['get'] }, ['pod-exec']],
      [{ resources: ['pods/ephemeralcontainers'], verbs: ['patch'] }, ['pod-exec']],
      [{ resources: ['*/exec'], verbs: ['create'] }, ['pod-exec']],
      [{ resources: ['pods/*'], verbs: ['create'] }, []],
      [{ resources: ['pods'], verbs: ['create'] }, ['create-workloads']],
      [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] }, ['create-workloads']],
      [{ apiGroups: ['*'], resources: ['cronjobs'], verbs: ['create'] }, ['create-workloads']],
      [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['update'] }, []],
      [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'] }, ['escalate-bind']],
      [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] }, ['escalate-bind']],
      [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['create'] }, []],
      [{ resources: ['groups'], verbs: ['impersonate'] }, ['impersonate']],
      [{ apiGroups: ['authentication.k8s.io'], resources: ['userextras/scopes'], verbs: ['impersonate'] }, ['impersonate']],
      [{ apiGroups: ['authentication.k8s.io'], resources: ['uids'], verbs: ['impersonate'] }, ['impersonate']],
      [{ resources: ['nodes/proxy'], verbs: ['get'] }, ['nodes-proxy']],
      [{ resources: ['nodes'], verbs: ['get'] }, []],
      [{ resources: ['serviceaccounts/token'], verbs: ['create'] }, ['serviceaccount-token']],
      [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] }, ['csr-approval']],
      [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], verbs: ['approve'], resourceNames: ['example.com/*'] }, ['csr-approval']],
      [{ apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], verbs: ['delete'] }, ['webhook-config-write']],
      [{ resources: ['namespaces'], verbs: ['patch'] }, ['namespace-write']],
      [{ resources: ['namespaces'], verbs: ['get'] }, []],
      [{ resources: ['persistentvolumes'], verbs: ['create'] }, ['persistentvolume-create']],
      [{ resources: ['*'], verbs: ['get'] }, ['secrets-read', 'pod-exec', 'nodes-proxy']],
      [{ resources: ['secrets'], verbs: ['get'], resourceNames: ['tls'] }, []],
      [{ resources: ['pods'], verbs: ['create'], resourceNames: ['a'] }, []],
      [{ resources: ['secrets'], verbs: ['get'], apiGroups: ['apps'] }, []],
      [{ verbs: ['*'], apiGroups: [], nonResourceURLs: ['*'] }, []],
    ];
    for (const [partial, expected] of cases) assert.deepEqual(ids(rule(partial)), expected, JSON.stringify(partial));
  });

  it('keeps name-limited grants where the name is the danger, and says so', () => {
    const grant = ruleGrantsRisk(rule({ resources: ['groups'], verbs: ['impersonate'], resourceNames: ['system:masters'] }), RISKY_PERMISSION_BY_ID.get('impersonate')!);
    assert.ok(grant);
    assert.deepEqual(grant.names, ['system:masters']);
    assert.equal(describeGrant(grant), 'impersonate groups (only "system:masters")');
  });

  it('describes verbs grouped by resource', () => {
    const grant = ruleGrantsRisk(rule({ resources: ['pods/exec', 'pods/attach'], verbs: ['get', 'create'] }), RISKY_PERMISSION_BY_ID.get('pod-exec')!)!;
    assert.equal(describeGrant(grant), 'create, get pods/exec, pods/attach');
  });
});
