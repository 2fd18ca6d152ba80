// Every check in the catalog against its own fixtures, through the engine as a scan runs it: each
// `fail` document yields a finding of that check at a real line, each `pass` document none.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AREAS, isSeverity } from '../core/index.ts';
import { createObjectSet } from '../engine/object-set.ts';
import { runChecks, runSetChecks } from '../engine/run.ts';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { pssChecks, pssFixtureSettings } from '../pss/catalog.ts';
import { allChecks, allControls, allSetChecks, selectChecks } from './catalog.ts';
import type { Check, ScanSettings } from './check.ts';

const defaultSettings: ScanSettings = { pss: { level: 'restricted', version: 'latest' } };
const pssIds = new Set<string>(pssChecks.map((check) => check.id));

function settingsFor(check: Check): ScanSettings {
  if (pssIds.has(check.id)) return pssFixtureSettings(check as (typeof pssChecks)[number]);
  return check.fixtures.settings ?? defaultSettings;
}

describe('catalog', () => {
  it('has unique, kebab-case ids and complete metadata', () => {
    const ids = new Set<string>();
    for (const control of allControls) {
      assert.match(control.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, control.id);
      assert.ok(!ids.has(control.id), `duplicate id ${control.id}`);
      ids.add(control.id);
      assert.ok(AREAS.includes(control.area), `${control.id}: area`);
      assert.ok(isSeverity(control.severity), `${control.id}: severity`);
      assert.ok(control.title.length > 0 && control.description.length > 0 && control.remediation.length > 0, control.id);
    }
  });

  it('tags every Pod Security Standards check with its level', () => {
    for (const check of pssChecks) assert.ok(check.frameworks.pss === 'baseline' || check.frameworks.pss === 'restricted', check.id);
  });

  it('runs restricted checks only at the restricted level, and drops disabled ones', () => {
    const baseline = selectChecks('baseline', new Set());
    assert.ok(baseline.every((check) => check.frameworks.pss !== 'restricted'));
    assert.ok(baseline.some((check) => check.id === 'pss-privileged'));
    const restricted = selectChecks('restricted', new Set(['pss-privileged']));
    assert.ok(restricted.some((check) => check.frameworks.pss === 'restricted'));
    assert.ok(!restricted.some((check) => check.id === 'pss-privileged'));
  });
});

describe('check fixtures', () => {
  for (const check of allChecks) {
    it(`${check.id}: fails its failing fixtures and passes its passing ones`, () => {
      assert.ok(check.fixtures.fail.length > 0 && check.fixtures.pass.length > 0, 'a failing and a passing fixture');
      const settings = settingsFor(check);
      check.fixtures.fail.forEach((text, index) => {
        const file = `${check.id}.fail-${index}.yaml`;
        const lines = text.split('\n').length;
        const { findings } = runChecks(objectsFromYaml(text, file), [check], { settings });
        assert.ok(findings.length > 0, `fail fixture ${index} produced no finding`);
        for (const finding of findings) {
          assert.equal(finding.control, check.id);
          assert.ok(finding.location.line >= 1 && finding.location.line <= lines, `line ${finding.location.line}`);
          assert.ok(finding.location.path.length > 0);
          assert.ok(finding.message.length > 0);
        }
      });
      check.fixtures.pass.forEach((text, index) => {
        const { findings } = runChecks(objectsFromYaml(text, `${check.id}.pass-${index}.yaml`), [check], { settings });
        assert.deepEqual(findings.map((f) => f.message), [], `pass fixture ${index}`);
      });
    });
  }
});

describe('cross-object check fixtures', () => {
  for (const check of allSetChecks) {
    it(`${check.id}: fails its failing sets and passes its passing ones`, () => {
      assert.ok(check.fixtures.fail.length > 0 && check.fixtures.pass.length > 0, 'a failing and a passing set');
      const kinds = new Set(check.kinds);
      const evaluate = (text: string, file: string) => {
        const objects = objectsFromYaml(text, file);
        // As a scan keeps them: only the kinds the check declares it reads.
        const set = createObjectSet(objects.filter((object) => kinds.has(object.kind)));
        return runSetChecks(set, [check], { settings: defaultSettings }).findings;
      };
      check.fixtures.fail.forEach((text, index) => {
        const lines = text.split('\n').length;
        const findings = evaluate(text, `${check.id}.fail-${index}.yaml`);
        assert.ok(findings.length > 0, `fail set ${index} produced no finding`);
        for (const finding of findings) {
          assert.equal(finding.control, check.id);
          assert.ok(finding.location.line >= 1 && finding.location.line <= lines, `line ${finding.location.line}`);
          assert.ok(finding.message.length > 0);
        }
      });
      check.fixtures.pass.forEach((text, index) => {
        const findings = evaluate(text, `${check.id}.pass-${index}.yaml`);
        assert.deepEqual(findings.map((f) => f.message), [], `pass set ${index}`);
      });
    });
  }
});
