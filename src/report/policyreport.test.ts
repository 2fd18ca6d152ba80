import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../core/index.ts';
import { summarize, type ScanReport } from './model.ts';
import { policyReportChunks, POLICY_REPORT_API_VERSION } from './policyreport.ts';

function finding(namespace: string | null, name: string, severity: Finding['severity']): Finding {
  return {
    control: 'pss-privileged',
    title: 'Privileged container',
    severity,
    area: 'compute',
    frameworks: {},
    object: { apiVersion: 'v1', kind: namespace === null ? 'Namespace' : 'Pod', namespace, name },
    location: { file: 'cluster://prod', line: 0, column: 0, path: 'spec' },
    message: `about ${name}`,
    remediation: 'fix it',
  };
}

function report(findings: Finding[]): ScanReport {
  return { tool: { name: 'bulwark', version: '1.2.3' }, findings, controls: [], summary: summarize(findings, { objects: 3, files: 1 }) };
}

describe('policyreport', () => {
  it('writes one PolicyReport per namespace and one ClusterPolicyReport, in a v1 List', () => {
    const list = JSON.parse([...policyReportChunks(report([finding('shop', 'a', 'high'), finding(null, 'shop', 'info'), finding('bank', 'b', 'low')]))].join(''));
    assert.equal(list.kind, 'List');
    assert.deepEqual(list.items.map((i: { kind: string; metadata: { name: string } }) => `${i.kind}/${i.metadata.name}`), [
      'PolicyReport/bulwark-bank',
      'PolicyReport/bulwark-shop',
      'ClusterPolicyReport/bulwark-cluster',
    ]);
    const shop = list.items[1];
    assert.equal(shop.apiVersion, POLICY_REPORT_API_VERSION);
    assert.equal(shop.metadata.namespace, 'shop');
    assert.deepEqual(shop.summary, { pass: 0, fail: 1, warn: 0, error: 0, skip: 0 });
    assert.deepEqual(shop.results[0].resources, [{ apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'a' }]);
    assert.equal(shop.results[0].policy, 'pss-privileged');
    assert.equal(list.items[2].results[0].result, 'warn');
  });

  it('writes an empty List when nothing was found', () => {
    assert.deepEqual(JSON.parse([...policyReportChunks(report([]))].join('')), { apiVersion: 'v1', kind: 'List', items: [] });
  });
});
