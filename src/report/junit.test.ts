import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Control } from '../core/index.ts';
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
import { findAll, parseXml } from './fixtures/xml-tree.ts';
import { formatJunit, junitChunks } from './junit.ts';

describe('formatJunit', () => {
  it('writes one suite per control and one case per failing object, with totals', () => {
    const root = parseXml(formatJunit(reportOf(sampleFindings)));
    assert.equal(root.name, 'testsuites');
    assert.deepEqual(root.attributes, { name: 'bulwark', tests: '4', failures: '4', errors: '0' });
    const suites = findAll(root, 'testsuite');
    assert.deepEqual(
      suites.map((suite) => suite.attributes.name),
      sampleControls.map((control) => `${control.id}: ${control.title}`),
    );
    const first = suites[0]?.children[0];
    assert.equal(first?.name, 'testcase');
    assert.deepEqual(first?.attributes, {
      name: 'Deployment shop/web in examples/web.yaml',
      classname: 'bulwark.compute.pss-privileged',
      file: 'examples/web.yaml',
      line: '14',
    });
    const failure = first?.children[0];
    assert.equal(failure?.name, 'failure');
    assert.equal(failure?.attributes.message, 'container "web" sets securityContext.privileged=true');
    assert.equal(failure?.attributes.type, 'critical');
    assert.match(failure?.text ?? '', /examples\/web\.yaml:14:13 spec\.template\.spec\.containers\[0\]\.securityContext\.privileged/);
    assert.match(failure?.text ?? '', /Remediation: Remove `securityContext\.privileged`/);
  });

  it('shows a control without findings as one passing case', () => {
    const root = parseXml(formatJunit(reportOf([findingOf(privileged, web)])));
    const suite = findAll(root, 'testsuite').find((each) => each.attributes.name?.startsWith('pss-run-as-non-root'));
    assert.deepEqual(suite?.attributes, {
      name: 'pss-run-as-non-root: Running as non-root',
      tests: '1',
      failures: '0',
      errors: '0',
      skipped: '0',
    });
    assert.equal(suite?.children.length, 1);
    assert.equal(suite?.children[0]?.children.length, 0, 'a passing case has no failure');
    assert.deepEqual(root.attributes, { name: 'bulwark', tests: '4', failures: '1', errors: '0' });
  });

  it('gathers several findings about one object under one case, typed by the worst severity', () => {
    const lowFirst = { ...findingOf(privileged, web, { line: 3, path: 'a' }), severity: 'low' as const };
    const findings = [lowFirst, findingOf(privileged, web, { line: 9, path: 'b' }), findingOf(privileged, admin)];
    const root = parseXml(formatJunit(reportOf(findings, [privileged])));
    const cases = findAll(root, 'testcase');
    assert.equal(cases.length, 2);
    const failure = cases[0]?.children[0];
    assert.equal(failure?.attributes.type, 'critical');
    assert.match(failure?.attributes.message ?? '', /^2 findings, first: /);
    assert.match(failure?.text ?? '', /:3:1 a\n[\s\S]*:9:1 b\n/);
  });

  it('keeps stdin out of the file attribute', () => {
    const root = parseXml(formatJunit(reportOf([findingOf(privileged, web, { file: '-' })], [privileged])));
    const testcase = findAll(root, 'testcase')[0];
    assert.equal(testcase?.attributes.name, 'Deployment shop/web in standard input');
    assert.equal(testcase?.attributes.file, undefined);
  });

  it('adds an erroring case when inputs could not be read', () => {
    const root = parseXml(formatJunit(reportOf([], [privileged], { errors: 3 })));
    assert.deepEqual(root.attributes, { name: 'bulwark', tests: '2', failures: '0', errors: '1' });
    const error = findAll(root, 'error')[0];
    assert.match(error?.attributes.message ?? '', /^3 inputs could not be read/);
  });

  it('adds a suite for a control that only findings name', () => {
    const root = parseXml(formatJunit(reportOf([findingOf(defaultDeny, admin)], [])));
    assert.deepEqual(
      findAll(root, 'testsuite').map((suite) => suite.attributes.name),
      ['network-default-deny: Namespace without default-deny NetworkPolicy'],
    );
  });

  it('escapes markup and replaces characters XML 1.0 forbids, keeping the rest intact', () => {
    const nasty = 'a<b>&c"d\'e]]>f\u0000g\u0008h\u000Bi\u001Fj\uFFFEk\uD800l\tm\nn\ro😀p\u007F\u0085';
    const finding = findingOf(privileged, { ...web, name: nasty }, { file: nasty, path: nasty }, nasty);
    const root = parseXml(formatJunit(reportOf([finding], [{ ...privileged, title: nasty }])));
    const expected = 'a<b>&c"d\'e]]>f\uFFFDg\uFFFDh\uFFFDi\uFFFDj\uFFFDk\uFFFDl\tm\nn\ro😀p\u007F\u0085';
    const testcase = findAll(root, 'testcase')[0];
    assert.equal(testcase?.attributes.file, expected, 'tab, newline and CR survive in attributes');
    assert.equal(findAll(root, 'failure')[0]?.attributes.message, expected);
    assert.ok(findAll(root, 'failure')[0]?.text.includes(expected), 'CR survives in text');
  });

  it('is deterministic and the same whether written whole or in chunks', () => {
    const report = reportOf(sampleFindings);
    assert.equal(formatJunit(report), formatJunit(reportOf([...sampleFindings])));
    assert.equal([...junitChunks(report)].join(''), formatJunit(report));
    assert.doesNotMatch(formatJunit(report), /time=|timestamp=/);
  });

  it('stays well-formed and keeps valid text intact for any strings', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary' }),
        (message, name, file, title) => {
          const control: Control = { ...infoControl, id: title, title, remediation: name };
          const findings = [
            findingOf(control, { ...web, name, namespace: title }, { file, path: message }, message),
            findingOf(runAsNonRoot, admin, { file: name }, file),
          ];
          const root = parseXml(formatJunit(reportOf(findings, [control, runAsNonRoot])));
          const legal = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
          if (legal.test(message) && findings[0]?.location.file !== '-') {
            const failure = findAll(root, 'failure').find((each) => each.text.includes(`\n${message}\nRemediation`));
            assert.ok(failure !== undefined, 'the message survives the round trip');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
