import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Finding } from '../core/index.ts';
import { CHUNK_SIZE } from './chunks.ts';
import { admin, bulkReport, defaultDeny, findingOf, privileged, reportOf, runAsNonRoot, sampleFindings, web } from './fixtures/sample.ts';
import { formatJson, jsonChunks, jsonDocument, jsonFinding } from './json.ts';
import type { ScanReport } from './model.ts';

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

  it('writes exactly this text for one finding', () => {
    const finding = findingOf(defaultDeny, admin, { file: 'rbac.yaml', line: 2, column: 1, path: 'metadata' }, 'no "deny"');
    assert.equal(
      formatJson(reportOf([finding], undefined, { objects: 1, files: 1 })),
      [
        '{',
        '  "schemaVersion": "1",',
        '  "tool": {',
        '    "name": "bulwark",',
        '    "version": "0.1.0"',
        '  },',
        '  "findings": [',
        '    {"control":"network-default-deny","title":"Namespace without default-deny NetworkPolicy","severity":"low","area":"network","frameworks":{},' +
          '"object":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","namespace":null,"name":"admin"},' +
          '"location":{"file":"rbac.yaml","line":2,"column":1,"path":"metadata"},"message":"no \\"deny\\"",' +
          '"remediation":"Add a NetworkPolicy selecting all pods with empty ingress rules."}',
        '  ],',
        '  "summary": {',
        '    "objects": 1,',
        '    "files": 1,',
        '    "findings": 1,',
        '    "bySeverity": {',
        '      "critical": 0,',
        '      "high": 0,',
        '      "medium": 0,',
        '      "low": 1,',
        '      "info": 0',
        '    },',
        '    "suppressed": 0,',
        '    "errors": 0',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
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

  it('parses to exactly the documented document', () => {
    for (const findings of [[], sampleFindings]) {
      const report = reportOf(findings);
      assert.deepEqual(JSON.parse(formatJson(report)), jsonDocument(report));
    }
  });

  it('writes one finding per line, each as JSON.stringify writes it', () => {
    assertFindingLines(reportOf(sampleFindings));
  });

  it('is deterministic and the same whether written whole or in chunks', () => {
    const report = reportOf(sampleFindings);
    assert.equal(formatJson(report), formatJson(reportOf([...sampleFindings])));
    assert.equal([...jsonChunks(report)].join(''), formatJson(report));
  });

  it('writes a line holding a character beyond Latin-1 as a piece of its own, the text unchanged', () => {
    const base = bulkReport(3_000);
    const findings = base.findings.map((finding, index) =>
      index % 97 === 5 ? { ...finding, message: `${finding.message} → RoleBinding shop/web` } : index === 400 ? { ...finding, message: `${finding.message} café` } : finding,
    );
    const report = { ...base, findings };
    const chunks = [...jsonChunks(report)];
    for (const chunk of chunks) {
      if (/[^\u0000-\u00ff]/.test(chunk)) assert.equal(chunk.split('\n').length, 2, 'a wide line stands alone');
    }
    assert.ok(chunks.some((chunk) => chunk.includes('→')));
    assert.equal(chunks.join(''), formatJson(report));
    assertFindingLines(report);
  });

  it('writes large reports in pieces of bounded size that join to the whole', () => {
    const report = bulkReport(5_000);
    const chunks = [...jsonChunks(report)];
    assert.ok(chunks.length > 10);
    for (const chunk of chunks) assert.ok(chunk.length < CHUNK_SIZE + 4096, `${chunk.length} characters`);
    const text = chunks.join('');
    assert.equal(text, formatJson(report));
    assertFindingLines(report);
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

  it('keeps every variant of a control and every object apart, however findings alternate', () => {
    const base = findingOf(privileged, web);
    // Each variant follows the finding it differs from in that one respect only.
    const variants: Finding[] = [
      { ...base, severity: 'low' },
      { ...base, title: 'Privileged' },
      { ...base, area: 'network' },
      { ...base, frameworks: { cis: ['5.2.1'] } },
      { ...base, remediation: 'Ask the platform team.' },
      findingOf(privileged, web, { file: 'other.yaml' }),
      findingOf(privileged, { ...web, name: 'api' }),
      findingOf(privileged, { ...web, namespace: null }),
      findingOf(privileged, { ...web, kind: 'StatefulSet' }),
      findingOf(privileged, { ...web, apiVersion: 'apps/v1beta2' }),
    ];
    const findings = [base, ...variants.flatMap((variant) => [variant, base])];
    const report = reportOf(findings);
    assert.deepEqual(JSON.parse(formatJson(report)), jsonDocument(report));
    assertFindingLines(report);
  });

  it('writes any strings and numbers as valid JSON equal to the reference serialisation', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary' }),
        fc.string(),
        fc.oneof(fc.integer(), fc.double()),
        (message, name, path, line) => {
          const finding = findingOf(privileged, { ...web, name }, { path, file: name, line }, message);
          const report = reportOf([finding, { ...finding, message: `${message}!` }]);
          assert.deepEqual(JSON.parse(formatJson(report)), JSON.parse(JSON.stringify(jsonDocument(report))));
          assertFindingLines(report);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** The lines between `"findings": [` and `],` are the findings, one each, in order. */
function assertFindingLines(report: ScanReport): void {
  const lines = formatJson(report).split('\n');
  const start = lines.indexOf('  "findings": [');
  const end = lines.indexOf('  ],');
  assert.ok(start !== -1 && end > start, 'findings are listed between their brackets');
  const expected = report.findings.map(
    (finding, index) => `    ${JSON.stringify(jsonFinding(finding))}${index < report.findings.length - 1 ? ',' : ''}`,
  );
  assert.deepEqual(lines.slice(start + 1, end), expected);
}
