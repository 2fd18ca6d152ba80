import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Finding } from '../core/index.ts';
import { admin, defaultDeny, findingOf, privileged, reportOf, runAsNonRoot, sampleFindings, web } from './fixtures/sample.ts';
import { formatJson, jsonChunks, jsonDocument } from './json.ts';

describe('formatJson', () => {
  it('writes the documented envelope, keys in order, 2-space indented, with a trailing newline', () => {
    const text = formatJson(reportOf(sampleFindings));
    const document = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(document), ['schemaVersion', 'tool', 'findings', 'summary']);
    assert.equal(document.schemaVersion, '1');
    assert.deepEqual(document.tool, { name: 'bulwark', version: '0.1.0' });
    assert.ok(text.startsWith('{\n  "schemaVersion": "1",\n  "tool": {\n    "name": "bulwark",'));
    assert.ok(text.endsWith('}\n') && !text.endsWith('\n\n'));
  });

  it('writes every finding with the documented keys in the documented order', () => {
    const document = JSON.parse(formatJson(reportOf(sampleFindings))) as { findings: Record<string, unknown>[] };
    const first = document.findings[0] as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(first), [
      'control',
      'title',
      'severity',
      'area',
      'frameworks',
      'object',
      'location',
      'message',
      'remediation',
    ]);
    assert.deepEqual(Object.keys(first.object as object), ['apiVersion', 'kind', 'namespace', 'name']);
    assert.deepEqual(Object.keys(first.location as object), ['file', 'line', 'column', 'path']);
    assert.deepEqual(first.frameworks, {
      pss: 'baseline',
      cis: ['5.2.1'],
      nsa: ['non-root containers'],
      mitre: ['T1611'],
      kubescape: ['C-0057'],
    });
    assert.deepEqual(first.location, {
      file: 'examples/web.yaml',
      line: 14,
      column: 13,
      path: 'spec.template.spec.containers[0].securityContext.privileged',
    });
  });

  it('keeps framework keys only where they apply, in the documented order whatever the input order', () => {
    const shuffled: Finding = {
      ...findingOf(runAsNonRoot, web),
      frameworks: { mitre: ['T1611'], cis: [], pss: 'restricted' },
    };
    const document = JSON.parse(formatJson(reportOf([shuffled, findingOf(defaultDeny, admin)]))) as {
      findings: { frameworks: object }[];
    };
    assert.deepEqual(Object.keys(document.findings[0]?.frameworks ?? {}), ['pss', 'mitre']);
    assert.deepEqual(document.findings[1]?.frameworks, {});
  });

  it('writes a null namespace as null, not as a missing key', () => {
    const document = JSON.parse(formatJson(reportOf([findingOf(defaultDeny, admin)]))) as {
      findings: { object: Record<string, unknown> }[];
    };
    assert.equal(document.findings[0]?.object.namespace, null);
    assert.ok('namespace' in (document.findings[0]?.object ?? {}));
  });

  it('writes the summary with counts per severity, most severe first', () => {
    const document = JSON.parse(formatJson(reportOf(sampleFindings, undefined, { suppressed: 2, errors: 1 }))) as {
      summary: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(document.summary), ['objects', 'files', 'findings', 'bySeverity', 'suppressed', 'errors']);
    assert.deepEqual(Object.keys(document.summary.bySeverity as object), ['critical', 'high', 'medium', 'low', 'info']);
    assert.deepEqual(document.summary.bySeverity, { critical: 1, high: 0, medium: 1, low: 1, info: 1 });
    assert.equal(document.summary.suppressed, 2);
    assert.equal(document.summary.errors, 1);
  });

  it('writes an empty findings array when there are none', () => {
    const text = formatJson(reportOf([]));
    assert.ok(text.includes('\n  "findings": [],\n'));
    assert.deepEqual((JSON.parse(text) as { findings: unknown[] }).findings, []);
  });

  it('is byte-identical to JSON.stringify of the documented shape', () => {
    for (const findings of [[], sampleFindings]) {
      const report = reportOf(findings);
      assert.equal(formatJson(report), `${JSON.stringify(jsonDocument(report), null, 2)}\n`);
    }
  });

  it('is deterministic and the same whether written whole or in chunks', () => {
    const report = reportOf(sampleFindings);
    assert.equal(formatJson(report), formatJson(reportOf([...sampleFindings])));
    assert.equal([...jsonChunks(report)].join(''), formatJson(report));
  });

  it('shares the control part between findings without mixing up overridden severities', () => {
    const overridden: Finding = { ...findingOf(privileged, web), severity: 'low' };
    const document = JSON.parse(formatJson(reportOf([findingOf(privileged, web), overridden]))) as {
      findings: { severity: string }[];
    };
    assert.deepEqual(
      document.findings.map((finding) => finding.severity),
      ['critical', 'low'],
    );
  });

  it('writes any strings as valid JSON equal to the reference serialisation', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.string(), (message, name, path) => {
        const finding = findingOf(privileged, { ...web, name }, { path, file: name }, message);
        const report = reportOf([finding]);
        const text = formatJson(report);
        assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(jsonDocument(report))));
        assert.equal(text, `${JSON.stringify(jsonDocument(report), null, 2)}\n`);
      }),
      { numRuns: 200 },
    );
  });
});
