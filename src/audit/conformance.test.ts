// Falco's own k8s-audit test cases (`../shared/conformance/audit/falco-tests-2022`), replayed
// through Bulwark: every case whose rules Bulwark implements must raise exactly the expected
// detections — each named rule the expected number of times, an alert at the expected priority,
// nothing at all where Falco expects nothing — and no trace may crash the reader.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, sharedPath, missingShared } from '../../test/support/shared.ts';
import { createDetector, type Alert, type Detector } from './detector.ts';
import { readAuditEvents } from './reader.ts';

const suite = ['conformance', 'audit', 'falco-tests-2022'];
const missing = missingShared(...suite);
const equivalents = join(repoRoot, 'test', 'fixtures', 'audit', 'falco-equivalents');

/** What each Falco rules file a case names becomes in Bulwark (see the fixtures' README). */
const RULES_FILES: Readonly<Record<string, 'none' | 'builtin' | string>> = {
  '../rules/falco_rules.yaml': 'none',
  '../rules/k8s_audit_rules.yaml': 'builtin',
  './rules/k8s_audit/engine_v4_k8s_audit_rules.yaml': 'builtin',
  './rules/k8s_audit/allow_namespace_foo.yaml': 'allow_namespace_foo.yaml',
  './rules/k8s_audit/allow_user_some-user.yaml': 'allow_user_some-user.yaml',
  './rules/k8s_audit/disallow_kactivity.yaml': 'disallow_kactivity.yaml',
  './rules/k8s_audit/trust_nginx_container.yaml': 'trust_nginx_container.yaml',
  './rules/k8s_audit/allow_nginx_container.yaml': 'allow_nginx_container.yaml',
  './rules/k8s_audit/allow_only_apache_container.yaml': 'allow_only_apache_container.yaml',
  './rules/k8s_audit/engine_v4/allow_nginx_container.yaml': 'engine_v4-allow_nginx_container.yaml',
  './rules/k8s_audit/engine_v4/allow_only_apache_container.yaml': 'engine_v4-allow_only_apache_container.yaml',
  './rules/k8s_audit/single_rule_with_json_pointer.yaml': 'single_rule_with_json_pointer.yaml',
};

interface Case {
  name: string;
  trace: string;
  detect: boolean;
  level: string;
  counts: Map<string, number>;
  rulesFiles: string[];
}

function cases(): Case[] {
  const lines = readFileSync(sharedPath(...suite, 'expectations.tsv'), 'utf8').split('\n').filter((line) => line.trim() !== '');
  return lines.slice(1).map((line) => {
    const [name, trace, detect, level, counts, rulesFiles] = line.split('\t');
    return {
      name: name!,
      trace: trace!,
      detect: detect === 'True',
      level: level ?? '',
      counts: new Map(
        (counts ?? '')
          .split(',')
          .filter((c) => c.includes('='))
          .map((c) => [c.slice(0, c.lastIndexOf('=')).trim(), Number(c.slice(c.lastIndexOf('=') + 1))] as const),
      ),
      rulesFiles: (rulesFiles ?? '').split('|').map((f) => f.trim()).filter((f) => f !== ''),
    };
  });
}

async function alertsFor(testCase: Case): Promise<{ alerts: Alert[]; detector: Detector }> {
  const mapped = testCase.rulesFiles.map((file) => RULES_FILES[file]);
  const detector = createDetector({
    builtin: mapped.includes('builtin'),
    files: mapped.filter((m): m is string => m !== undefined && m !== 'none' && m !== 'builtin').map((m) => join(equivalents, m)),
  });
  const alerts: Alert[] = [];
  for await (const batch of readAuditEvents(sharedPath(...suite, 'test', testCase.trace))) for (const event of batch.events) alerts.push(...detector.detect(event));
  return { alerts, detector };
}

/** Falco's names of a rule: its name and the names upstream gave it in other versions. */
function falcoNames(detector: Detector, ruleId: string): string[] {
  const rule = detector.rules.find((r) => r.id === ruleId);
  return rule === undefined || rule.falco === null ? [] : [rule.falco, ...rule.falcoAliases];
}

describe('Falco k8s-audit conformance', { skip: missing }, () => {
  const all = missing ? [] : cases();
  const reference = missing ? undefined : createDetector();

  it('covers the suite: every case is run or says why not', () => {
    assert.ok(all.length > 0);
    const run = all.filter((c) => c.rulesFiles.every((f) => RULES_FILES[f] !== undefined));
    assert.ok(run.length >= all.length - 2, `only ${run.length} of ${all.length} cases have every rules file mapped`);
  });

  for (const testCase of all) {
    const unmapped = testCase.rulesFiles.filter((f) => RULES_FILES[f] === undefined);
    it(`${testCase.name}: ${testCase.detect ? [...testCase.counts].map(([r, n]) => `${r}=${n}`).join(', ') : 'no detection'}`, async (t) => {
      if (unmapped.length > 0) return t.skip(`rules files with no Bulwark equivalent: ${unmapped.join(', ')}`);
      const { alerts, detector } = await alertsFor(testCase);
      const implemented = new Set(detector.rules.flatMap((rule) => falcoNames(detector, rule.id)));
      const unimplemented = [...testCase.counts.keys()].filter((rule) => !implemented.has(rule));
      if (unimplemented.length > 0) return t.skip(`Falco rules Bulwark does not implement: ${unimplemented.join(', ')}`);
      const named = alerts.map((alert) => ({ alert, names: falcoNames(detector, alert.rule) }));
      if (!testCase.detect) {
        assert.deepEqual(
          named.map(({ alert }) => `${alert.rule} (${alert.falco ?? 'no Falco rule'}): ${alert.message}`),
          [],
          'Falco expects no detection',
        );
        return;
      }
      for (const [rule, count] of testCase.counts) {
        const got = named.filter(({ names }) => names.includes(rule)).length;
        assert.equal(got, count, `${rule}: ${got} alerts, expected ${count}; all: ${alerts.map((a) => a.falco ?? a.rule).join(', ')}`);
      }
      if (testCase.level !== '') assert.ok(alerts.some((alert) => alert.priority === testCase.level.toUpperCase()), `an alert at ${testCase.level}; got ${alerts.map((a) => a.priority).join(', ')}`);
    });
  }

  it('reads every trace of the suite without crashing; a broken one yields problems, never a throw', async () => {
    const dir = sharedPath(...suite, 'test', 'trace_files', 'k8s_audit');
    const detector = reference!;
    for (const file of readdirSync(dir)) {
      for await (const batch of readAuditEvents(join(dir, file))) {
        for (const event of batch.events) detector.detect(event);
        for (const problem of batch.problems) assert.ok(problem.where.includes(file) && problem.message.length > 0);
      }
    }
    assert.deepEqual([...detector.errors], [], 'no rule failed to evaluate on any trace');
  });

  it('the translations of Falco rules files all exist', () => {
    for (const target of Object.values(RULES_FILES)) if (target !== 'none' && target !== 'builtin') assert.ok(existsSync(join(equivalents, target)), target);
  });
});
