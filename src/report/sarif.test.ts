import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Control, Finding } from '../core/index.ts';
import {
  admin,
  defaultDeny,
  findingOf,
  infoControl,
  privileged,
  reportOf,
  runAsNonRoot,
  sampleControls,
  sampleFindings,
  web,
} from './fixtures/sample.ts';
import { sarifErrors, sarifSchemaMissing } from './fixtures/sarif-schema.ts';
import { FINGERPRINT_KEY, formatSarif, sarifChunks, type SarifOptions } from './sarif.ts';
import type { ScanReport } from './model.ts';

interface SarifLog {
  $schema: string;
  version: string;
  runs: SarifRun[];
}
interface SarifRun {
  tool: { driver: { name: string; version: string; informationUri?: string; rules: SarifRule[] } };
  invocations: { executionSuccessful: boolean }[];
  originalUriBaseIds?: Record<string, { uri: string }>;
  artifacts: { location: { uri?: string; uriBaseId?: string; description?: { text: string } }; mimeType?: string }[];
  results: SarifResult[];
}
interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration: { level: string };
  properties: { tags: string[]; 'security-severity'?: string };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri?: string; uriBaseId?: string; index: number; description?: { text: string } };
      region?: { startLine: number; startColumn?: number };
    };
    logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[];
  }[];
  partialFingerprints: Record<string, string>;
}

const BASE = '/home/dev/project';

/** Renders, asserts schema validity (when the schema is present) and returns the parsed run. */
function render(report: ScanReport, options: SarifOptions = { baseDir: BASE }): SarifRun {
  const text = formatSarif(report, options);
  if (sarifSchemaMissing === false) assert.equal(sarifErrors(text), '', 'SARIF must be valid against the 2.1.0 schema');
  const log = JSON.parse(text) as SarifLog;
  assert.equal(log.runs.length, 1);
  return log.runs[0] as SarifRun;
}

function fileFinding(file: string, line = 3): Finding {
  return findingOf(privileged, web, { file, line, column: 5, path: 'spec.containers[0].securityContext.privileged' });
}

describe('formatSarif', () => {
  describe('against the official schema', { skip: sarifSchemaMissing }, () => {
    it('accepts the sample report', () => {
      render(reportOf(sampleFindings));
    });

    it('accepts an empty report, with and without controls', () => {
      assert.deepEqual(render(reportOf([])).results, []);
      assert.deepEqual(render(reportOf([], [])).tool.driver.rules, []);
    });

    it('rejects a document with an unencoded space in a URI (the validator is not blind)', () => {
      const text = formatSarif(reportOf([fileFinding('a b.yaml')]), { baseDir: BASE }).replace('a%20b.yaml', 'a b.yaml');
      assert.notEqual(sarifErrors(text), '');
    });

    it('accepts odd file names, all encoded', () => {
      const names = [
        'dir with space/my app.yaml',
        'ünïcödé/日本語.yaml',
        'hash#and?query.yaml',
        '100%/per cent.yml',
        'brackets[0]/{braces}|pipe^caret`tick.json',
        'c:colon-first.yaml',
        'emoji-🚀.yaml',
        "quote\"and'apostrophe.yaml",
        'back\\slash.yaml',
        'lone-\uD800-surrogate.yaml',
        'new\nline.yaml',
        './dotted/../normalised.yaml',
      ];
      const run = render(reportOf(names.map((name) => fileFinding(name))));
      assert.equal(run.artifacts.length, names.length);
      for (const artifact of run.artifacts) assert.equal(artifact.location.uriBaseId, 'SRCROOT');
      const uris = run.artifacts.map((artifact) => artifact.location.uri);
      assert.ok(uris.includes('dir%20with%20space/my%20app.yaml'));
      assert.ok(uris.includes('hash%23and%3Fquery.yaml'));
      assert.ok(uris.includes('c%3Acolon-first.yaml'), 'a colon in the first segment would read as a scheme');
      assert.ok(uris.includes('normalised.yaml'));
      assert.equal(decodeURIComponent(uris[1] ?? ''), 'ünïcödé/日本語.yaml');
    });

    it('accepts stdin, absolute paths outside the base, URIs of other sources and unknown positions', () => {
      const findings = [
        fileFinding('-'),
        fileFinding('/etc/kubernetes/manifests/kube-apiserver.yaml'),
        fileFinding('cluster://prod-cluster/apis/apps/v1/namespaces/shop/deployments/web'),
        fileFinding(''),
        findingOf(defaultDeny, admin, { file: 'x.yaml', line: 0, column: 0 }),
        findingOf(defaultDeny, admin, { file: 'y.yaml', line: 4, column: Number.NaN }),
      ];
      const run = render(reportOf(findings));
      const locations = run.results.map((result) => result.locations[0]?.physicalLocation);
      assert.deepEqual(locations[0]?.artifactLocation, { description: { text: 'standard input' }, index: 0 });
      assert.equal(locations[1]?.artifactLocation.uri, 'file:///etc/kubernetes/manifests/kube-apiserver.yaml');
      assert.equal(locations[1]?.artifactLocation.uriBaseId, undefined);
      assert.equal(locations[2]?.artifactLocation.uri, 'cluster://prod-cluster/apis/apps/v1/namespaces/shop/deployments/web');
      assert.deepEqual(locations[3]?.artifactLocation.description, { text: 'unnamed source' });
      assert.equal(locations[4]?.region, undefined, 'line 0 is no line');
      assert.deepEqual(locations[5]?.region, { startLine: 4 });
    });

    it('accepts any strings in messages, names, paths and control texts', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary', minLength: 1 }),
          (message, name, path, file, id) => {
            const control: Control = { ...infoControl, id, title: message, description: name, remediation: path };
            const finding = findingOf(control, { ...web, name, namespace: message }, { file, path }, message);
            render(reportOf([finding, findingOf(privileged, admin, { file: `${file}.yaml` }, name)], [control]));
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  it('declares SARIF 2.1.0 and the tool', () => {
    const text = formatSarif(reportOf(sampleFindings), { baseDir: BASE, informationUri: 'https://example.org/bulwark' });
    const log = JSON.parse(text) as SarifLog;
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-schema-2\.1\.0\.json$/);
    const { driver } = (log.runs[0] as SarifRun).tool;
    assert.equal(driver.name, 'bulwark');
    assert.equal(driver.version, '0.1.0');
    assert.equal(driver.informationUri, 'https://example.org/bulwark');
    assert.ok(text.endsWith('}\n'));
  });

  it('lists the controls as rules with descriptions, help, level and security-severity', () => {
    const run = render(reportOf(sampleFindings));
    assert.deepEqual(
      run.tool.driver.rules.map((rule) => rule.id),
      sampleControls.map((control) => control.id),
    );
    const rule = run.tool.driver.rules[0] as SarifRule;
    assert.equal(rule.name, 'PssPrivileged');
    assert.equal(rule.shortDescription.text, privileged.title);
    assert.equal(rule.fullDescription.text, privileged.description);
    assert.match(rule.help.markdown, /\*\*Remediation:\*\* Remove `securityContext\.privileged`/);
    assert.match(rule.help.text, /Remediation: /);
    assert.equal(rule.defaultConfiguration.level, 'error');
    assert.deepEqual(rule.properties.tags, [
      'security',
      'kubernetes',
      'compute',
      'pss:baseline',
      'cis:5.2.1',
      'nsa:non-root containers',
      'mitre:T1611',
      'kubescape:C-0057',
    ]);
    const scores = Object.fromEntries(run.tool.driver.rules.map((r) => [r.id, r.properties['security-severity']]));
    assert.deepEqual(scores, {
      'pss-privileged': '9.5',
      'pss-run-as-non-root': '5.5',
      'network-default-deny': '2.0',
      'develop-latest-tag': undefined,
    });
    assert.deepEqual(
      run.tool.driver.rules.map((r) => r.defaultConfiguration.level),
      ['error', 'warning', 'note', 'note'],
    );
  });

  it('points every result at its rule, file, line and column, and names the object and field', () => {
    const run = render(reportOf(sampleFindings));
    const result = run.results[0] as SarifResult;
    assert.equal(result.ruleId, 'pss-privileged');
    assert.equal(run.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
    assert.equal(result.level, 'error');
    assert.equal(result.message.text, 'Deployment shop/web: container "web" sets securityContext.privileged=true');
    const location = result.locations[0];
    assert.deepEqual(location?.physicalLocation.artifactLocation, { uri: 'examples/web.yaml', uriBaseId: 'SRCROOT', index: 0 });
    assert.deepEqual(location?.physicalLocation.region, { startLine: 14, startColumn: 13 });
    assert.deepEqual(location?.logicalLocations, [
      {
        name: 'spec.template.spec.containers[0].securityContext.privileged',
        fullyQualifiedName: 'apps/v1/Deployment/shop/web:spec.template.spec.containers[0].securityContext.privileged',
        kind: 'property',
      },
    ]);
    for (const each of run.results) {
      assert.equal(run.tool.driver.rules[each.ruleIndex]?.id, each.ruleId);
      const index = each.locations[0]?.physicalLocation.artifactLocation.index ?? -1;
      assert.ok(run.artifacts[index] !== undefined);
    }
  });

  it('takes the level from the finding, so severity overrides show', () => {
    const lowered: Finding = { ...findingOf(privileged, web), severity: 'low' };
    const run = render(reportOf([lowered]));
    assert.equal(run.results[0]?.level, 'note');
    assert.equal(run.tool.driver.rules[0]?.defaultConfiguration.level, 'error');
    const mixed = render(reportOf([findingOf(privileged, web), lowered, { ...lowered, severity: 'medium' }, findingOf(privileged, web)]));
    assert.deepEqual(
      mixed.results.map((result) => result.level),
      ['error', 'note', 'warning', 'error'],
    );
  });

  it('adds a rule for a finding whose control is not among the controls', () => {
    const run = render(reportOf([findingOf(runAsNonRoot, web)], [privileged]));
    assert.deepEqual(
      run.tool.driver.rules.map((rule) => rule.id),
      ['pss-privileged', 'pss-run-as-non-root'],
    );
    assert.equal(run.results[0]?.ruleIndex, 1);
  });

  it('makes paths relative to the base directory, resolving relative inputs against cwd', () => {
    const run = render(reportOf([fileFinding('web.yaml'), fileFinding(`${BASE}/deploy/db.yaml`)]), {
      baseDir: BASE,
      cwd: `${BASE}/examples`,
    });
    assert.deepEqual(run.originalUriBaseIds, { SRCROOT: { uri: 'file:///home/dev/project/' } });
    assert.deepEqual(
      run.artifacts.map((artifact) => artifact.location.uri),
      ['examples/web.yaml', 'deploy/db.yaml'],
    );
    assert.equal(run.artifacts[0]?.mimeType, 'application/yaml');
  });

  it('leaves SRCROOT to the consumer when no base directory is given', () => {
    const run = render(reportOf([fileFinding('./examples/web.yaml')]), {});
    assert.equal(run.originalUriBaseIds, undefined);
    assert.equal(run.artifacts[0]?.location.uri, 'examples/web.yaml');
  });

  it('reports an unsuccessful execution when inputs could not be read', () => {
    assert.equal(render(reportOf([], undefined, { errors: 2 })).invocations[0]?.executionSuccessful, false);
    assert.equal(render(reportOf([])).invocations[0]?.executionSuccessful, true);
  });

  describe('partialFingerprints', () => {
    const fingerprint = (finding: Finding): string =>
      render(reportOf([finding])).results[0]?.partialFingerprints[FINGERPRINT_KEY] ?? '';

    it('stay the same when the finding moves to another line, column or apiVersion', () => {
      const before = findingOf(privileged, web, { line: 10, column: 3, path: 'spec.x' });
      const moved = findingOf(privileged, { ...web, apiVersion: 'apps/v1beta2' }, { line: 42, column: 9, path: 'spec.x' });
      assert.equal(fingerprint(before), fingerprint(moved));
      assert.match(fingerprint(before), /^[0-9a-f]{64}:1$/);
    });

    it('change with the control, object, namespace, API group, field path or file', () => {
      const base = findingOf(privileged, web, { path: 'spec.x' });
      const variants = [
        findingOf(runAsNonRoot, web, { path: 'spec.x' }),
        findingOf(privileged, { ...web, name: 'api' }, { path: 'spec.x' }),
        findingOf(privileged, { ...web, namespace: 'other' }, { path: 'spec.x' }),
        findingOf(privileged, { ...web, namespace: null }, { path: 'spec.x' }),
        findingOf(privileged, { ...web, apiVersion: 'extensions/v1beta1' }, { path: 'spec.x' }),
        findingOf(privileged, { ...web, kind: 'StatefulSet' }, { path: 'spec.x' }),
        findingOf(privileged, web, { path: 'spec.y' }),
        findingOf(privileged, web, { path: 'spec.x', file: 'other.yaml' }),
      ];
      const seen = new Set([fingerprint(base)]);
      for (const variant of variants) seen.add(fingerprint(variant));
      assert.equal(seen.size, variants.length + 1);
    });

    it('number identical findings in one file so that each keeps its own', () => {
      const twice = findingOf(privileged, web, { path: 'spec.x' });
      const run = render(reportOf([twice, { ...twice, location: { ...twice.location, line: 40 } }]));
      const prints = run.results.map((result) => result.partialFingerprints[FINGERPRINT_KEY] ?? '');
      assert.notEqual(prints[0], prints[1]);
      assert.equal(prints[0]?.split(':')[0], prints[1]?.split(':')[0]);
      assert.deepEqual(
        prints.map((print) => print.split(':')[1]),
        ['1', '2'],
      );
    });
  });

  it('is deterministic and the same whether written whole or in chunks', () => {
    const report = reportOf(sampleFindings);
    assert.equal(formatSarif(report, { baseDir: BASE }), formatSarif(reportOf([...sampleFindings]), { baseDir: BASE }));
    assert.equal([...sarifChunks(report, { baseDir: BASE })].join(''), formatSarif(report, { baseDir: BASE }));
  });
});
