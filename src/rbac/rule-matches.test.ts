import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { NonResourceRequest, PolicyRule, ResourceRequest } from './model.ts';
import { isFullAccessRule, nonResourceURLMatches, resourceMatches, ruleAllows, sameRule } from './rule-matches.ts';

function rule(partial: Partial<PolicyRule>): PolicyRule {
  return { verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...partial };
}

function request(partial: Partial<ResourceRequest>): ResourceRequest {
  return { verb: 'get', apiGroup: '', resource: 'pods', subresource: '', namespace: 'ns', name: '', ...partial };
}

describe('ruleAllows for resource requests (the RBAC authorizer)', () => {
  const cases: [string, Partial<PolicyRule>, Partial<ResourceRequest>, boolean][] = [
    ['exact verb, group, resource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, {}, true],
    ['other verb', { verbs: ['list'], apiGroups: [''], resources: ['pods'] }, {}, false],
    ['verb *', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, { verb: 'escalate' }, true],
    ['group * matches core', { verbs: ['get'], apiGroups: ['*'], resources: ['pods'] }, {}, true],
    ['other group', { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, {}, false],
    ['no groups matches nothing', { verbs: ['get'], resources: ['pods'] }, {}, false],
    ['resource * matches subresources', { verbs: ['create'], apiGroups: [''], resources: ['*'] }, { verb: 'create', subresource: 'exec' }, true],
    ['resource without its subresource', { verbs: ['create'], apiGroups: [''], resources: ['pods'] }, { verb: 'create', subresource: 'exec' }, false],
    ['resource/subresource exact', { verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }, { verb: 'create', subresource: 'exec' }, true],
    ['*/subresource', { verbs: ['create'], apiGroups: [''], resources: ['*/exec'] }, { verb: 'create', subresource: 'exec' }, true],
    ['*/subresource does not match the parent', { verbs: ['get'], apiGroups: [''], resources: ['*/exec'] }, {}, false],
    ['*/other subresource', { verbs: ['create'], apiGroups: [''], resources: ['*/attach'] }, { verb: 'create', subresource: 'exec' }, false],
    ['pods/* is literal, not a wildcard', { verbs: ['create'], apiGroups: [''], resources: ['pods/*'] }, { verb: 'create', subresource: 'exec' }, false],
    ['*/ex is not a suffix match', { verbs: ['create'], apiGroups: [''], resources: ['*/ec'] }, { verb: 'create', subresource: 'exec' }, false],
    ['subresource entry does not grant the parent', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, {}, false],
    ['resourceNames allow the named object', { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { name: 'a' }, true],
    ['resourceNames refuse other names', { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { name: 'b' }, false],
    ['resourceNames refuse unnamed requests (list, create)', { verbs: ['list'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { verb: 'list' }, false],
    ['resource rules ignore nonResourceURLs', { verbs: ['get'], nonResourceURLs: ['*'] }, {}, false],
    ['case matters', { verbs: ['GET'], apiGroups: [''], resources: ['Pods'] }, {}, false],
  ];
  for (const [name, r, q, expected] of cases) {
    it(name, () => assert.equal(ruleAllows(rule(r), request(q)), expected));
  }
});

describe('ruleAllows for non-resource requests', () => {
  const get = (path: string): NonResourceRequest => ({ verb: 'get', path });
  it('matches exact paths, * and prefixes ending in *', () => {
    const r = rule({ verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*', '/logs**'] });
    assert.equal(ruleAllows(r, get('/healthz')), true);
    assert.equal(ruleAllows(r, get('/healthz/etcd')), false);
    assert.equal(ruleAllows(r, get('/apis/apps/v1')), true);
    assert.equal(ruleAllows(r, get('/apis')), false);
    assert.equal(ruleAllows(r, get('/logs/kube')), true, 'every trailing * is trimmed');
    assert.equal(ruleAllows(rule({ verbs: ['*'], nonResourceURLs: ['*'] }), { verb: 'post', path: '/x' }), true);
    assert.equal(ruleAllows(rule({ verbs: ['get'], apiGroups: ['*'], resources: ['*'] }), get('/healthz')), false);
  });

  it('a lone * matches the empty path too', () => {
    assert.equal(nonResourceURLMatches(rule({ nonResourceURLs: ['*'] }), ''), true);
  });
});

describe('helpers', () => {
  it('recognises full access and compares rules by value', () => {
    assert.equal(isFullAccessRule(rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] })), true);
    assert.equal(isFullAccessRule(rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: ['x'] })), false);
    assert.equal(isFullAccessRule(rule({ verbs: ['*'], apiGroups: [''], resources: ['*'] })), false);
    assert.equal(sameRule(rule({ verbs: ['get'] }), rule({ verbs: ['get'] })), true);
    assert.equal(sameRule(rule({ verbs: ['get', 'list'] }), rule({ verbs: ['list', 'get'] })), false);
  });

  it('resourceMatches agrees with a direct reading of the upstream conditions', () => {
    const part = fc.constantFrom('pods', 'exec', 'log', '*', 'x', '');
    const entry = fc.oneof(part, fc.tuple(part, part).map(([a, b]) => `${a}/${b}`));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 4 }), part, part, (resources, resource, subresource) => {
        const combined = subresource === '' ? resource : `${resource}/${subresource}`;
        const expected = resources.some(
          (r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`),
        );
        assert.equal(resourceMatches(rule({ resources }), combined, subresource), expected);
      }),
    );
  });
});
