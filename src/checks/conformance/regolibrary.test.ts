// Bulwark against Kubescape's own rule tests (regolibrary, half of the upstream corpus): for every case
// of a rule in RULES_IN_SCOPE, the objects Kubescape reports must be exactly the objects on which a
// Bulwark control answering for that rule reports something, and a case Kubescape passes must get no
// such finding. A control answers for a rule when it carries one of the rule's Kubescape ids (or is
// named in the rule's scope). Configuration inputs of a case (`data.json`) become Bulwark options where
// Bulwark has the same setting. Deliberate differences are listed, with their reason, in DISAGREEMENTS;
// a listed case that stops disagreeing fails too, so the table stays true.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { missingShared, sharedPath } from '../../../test/support/shared.ts';
import type { Finding, KubeObject } from '../../core/index.ts';
import { createObjectSet } from '../../engine/object-set.ts';
import { runChecks, runSetChecks } from '../../engine/run.ts';
import { documentsToObjects, parseYamlStream } from '../../load/index.ts';
import { allChecks, allSetChecks, selectChecks } from '../catalog.ts';
import { DEFAULT_CHECK_OPTIONS, type CheckOptions, type ResourceBounds, type ScanSettings } from '../check.ts';
import { DISAGREEMENTS, NOT_YET_COVERED, RULES_IN_SCOPE, type Scope } from './regolibrary-scope.ts';

const skip = missingShared('conformance', 'regolibrary', 'rule_index.tsv');
const root = (...parts: string[]) => sharedPath('conformance', 'regolibrary', ...parts);

interface Rule {
  name: string;
  ids: string[];
}

function readRules(): Rule[] {
  const lines = readFileSync(root('rule_index.tsv'), 'utf8').split('\n').slice(1);
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name, , , controls = ''] = line.split('\t');
      assert.ok(name, `rule name in ${line}`);
      return { name, ids: [...controls.matchAll(/C-\d{4}/g)].map((match) => match[0]) };
    });
}

function readCases(): Map<string, string[]> {
  const byRule = new Map<string, string[]>();
  for (const line of readFileSync(root('cases.tsv'), 'utf8').split('\n').slice(1)) {
    if (line.trim() === '') continue;
    const [rule, , name] = line.split('\t');
    assert.ok(rule && name, `columns in ${line}`);
    byRule.set(rule, [...(byRule.get(rule) ?? []), name]);
  }
  return byRule;
}

/** An object as Kubescape names it in `alertObject`; namespace only when it gives one. */
interface ObjectName {
  kind: string;
  name: string;
  namespace: string | undefined;
}

function nameOf(value: unknown): ObjectName | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  const metadata = (record.metadata ?? {}) as Record<string, unknown>;
  const kind = record.kind;
  const name = metadata.name ?? record.name;
  if (typeof kind !== 'string' || typeof name !== 'string') return undefined;
  const namespace = metadata.namespace ?? record.namespace;
  return { kind, name, namespace: typeof namespace === 'string' ? namespace : undefined };
}

/**
 * Each expected finding as the objects that can stand for it: the offending API objects, or, for an
 * RBAC subject (`externalObjects`), the bindings and roles it is reported through. An empty list
 * stands for "some object of the case".
 */
function expectedFindings(file: string): ObjectName[][] {
  const findings = JSON.parse(readFileSync(file, 'utf8')) as { alertObject?: Record<string, unknown> }[];
  return findings.map((finding) => {
    const alert = finding.alertObject ?? {};
    const api = Array.isArray(alert.k8sApiObjects) ? alert.k8sApiObjects : [];
    const external = alert.externalObjects as { relatedObjects?: unknown[] } | undefined;
    const candidates = [...api, ...(external?.relatedObjects ?? []), ...(typeof alert.kind === 'string' ? [alert] : [])];
    return candidates.map(nameOf).filter((name): name is ObjectName => name !== undefined);
  });
}

function same(expected: ObjectName, object: Finding['object']): boolean {
  return (
    expected.kind === object.kind &&
    expected.name === object.name &&
    (expected.namespace === undefined || object.namespace === null || expected.namespace === object.namespace)
  );
}

function loadCase(dir: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const file of readdirSync(join(dir, 'input')).sort()) {
    const text = readFileSync(join(dir, 'input', file), 'utf8');
    const parsed = parseYamlStream(text, file);
    assert.deepEqual(parsed.errors.map(String), [], `${file} parses`);
    const outcome = documentsToObjects(parsed.documents, file);
    assert.deepEqual(outcome.diagnostics.map((d) => d.message), [], `${file} holds Kubernetes objects`);
    objects.push(...outcome.objects);
  }
  return objects;
}

const first = (value: unknown): string | undefined =>
  Array.isArray(value) && (typeof value[0] === 'string' || typeof value[0] === 'number') ? String(value[0]) : undefined;

function bounds(inputs: Record<string, unknown>, resource: 'cpu' | 'memory'): ResourceBounds {
  const out: ResourceBounds = {};
  const set = (key: keyof ResourceBounds, input: string) => {
    const value = first(inputs[`${resource}_${input}`]);
    if (value !== undefined) out[key] = value;
  };
  set('requestMin', 'request_min');
  set('requestMax', 'request_max');
  set('limitMin', 'limit_min');
  set('limitMax', 'limit_max');
  return out;
}

/**
 * A case's `data.json` as Bulwark options, for the settings Bulwark shares with Kubescape (resource
 * bounds, floating tags). Others are not Bulwark settings: `cloudProvider` (Bulwark's credential
 * paths hold for every provider) and `imageDigestExemptRepositories` (Bulwark exempts by exception).
 */
function optionsFor(dir: string, enabled: readonly string[]): CheckOptions {
  const file = join(dir, 'data.json');
  const data = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const inputs = (data.postureControlInputs ?? {}) as Record<string, unknown>;
  const floating = Array.isArray(inputs.floatingImageTags) ? inputs.floatingImageTags.filter((tag) => typeof tag === 'string') : [];
  return {
    images: { ...DEFAULT_CHECK_OPTIONS.images, floatingTags: ['latest', ...floating] },
    resources: { cpu: bounds(inputs, 'cpu'), memory: bounds(inputs, 'memory') },
    enabled,
  };
}

const allControls = [...allChecks, ...allSetChecks];
const optInIds = allChecks.filter((check) => check.optIn === true).map((check) => check.id);

/** The controls that answer for a rule, or a message saying why none can be found. */
function answering(rule: Rule, scope: Scope, sharedIds: ReadonlySet<string>): Set<string> | string {
  if (scope.controls !== undefined) {
    for (const id of scope.controls) {
      const control = allControls.find((each) => each.id === id);
      if (control === undefined) return `${rule.name}: control ${id} does not exist`;
      const tags = control.frameworks.kubescape ?? [];
      if (rule.ids.length > 0 && !rule.ids.some((ruleId) => tags.includes(ruleId))) {
        return `${rule.name}: control ${id} carries none of the rule's ids ${rule.ids.join(', ')}`;
      }
    }
    return new Set(scope.controls);
  }
  const own = rule.ids.filter((id) => !sharedIds.has(id));
  if (own.length === 0) return `${rule.name}: its ids (${rule.ids.join(', ') || 'none'}) are shared or missing; name its controls in RULES_IN_SCOPE`;
  const ids = allControls.filter((control) => (control.frameworks.kubescape ?? []).some((id) => own.includes(id))).map((control) => control.id);
  if (ids.length === 0) return `${rule.name}: no control carries ${own.join(' or ')}`;
  return new Set(ids);
}

/** Why Bulwark's result differs from Kubescape's on this case, or undefined when they agree. */
function difference(dir: string, controls: ReadonlySet<string>, scope: Scope): string | undefined {
  const objects = loadCase(dir);
  const level = scope.level ?? 'restricted';
  const settings: ScanSettings = { pss: { level, version: 'latest' }, options: optionsFor(dir, optInIds) };
  const findings = [
    ...runChecks(objects, selectChecks(level, new Set()), { settings }).findings,
    ...runSetChecks(createObjectSet(objects), allSetChecks, { settings }).findings,
  ].filter((finding) => controls.has(finding.control));
  const expected = expectedFindings(join(dir, 'expected.json'));
  const missing = expected.filter((names) =>
    names.length === 0 ? findings.length === 0 : !findings.some((finding) => names.some((name) => same(name, finding.object))),
  );
  const extra = findings.filter(
    (finding) => !expected.some((names) => names.length === 0 || names.some((name) => same(name, finding.object))),
  );
  const problems: string[] = [];
  for (const names of missing) {
    problems.push(`Kubescape reports ${names.map((name) => `${name.kind}/${name.name}`).join(' or ') || 'a finding'}; Bulwark reports nothing there`);
  }
  for (const finding of extra) {
    problems.push(`Bulwark reports ${finding.control} on ${finding.object.kind}/${finding.object.name} (${finding.message}); Kubescape does not`);
  }
  return problems.length === 0 ? undefined : problems.join('\n');
}

describe('regolibrary conformance', { skip }, () => {
  const rules = skip ? [] : readRules();
  const cases = skip ? new Map<string, string[]>() : readCases();

  it('places every rule of the corpus in exactly one table', () => {
    const names = new Set(rules.map((rule) => rule.name));
    const notYet = NOT_YET_COVERED.map((entry) => entry.rule);
    for (const rule of names) {
      const places = Number(rule in RULES_IN_SCOPE) + notYet.filter((name) => name === rule).length;
      assert.equal(places, 1, `${rule} must be in exactly one of RULES_IN_SCOPE and NOT_YET_COVERED (is in ${places})`);
    }
    for (const rule of [...Object.keys(RULES_IN_SCOPE), ...notYet]) assert.ok(names.has(rule), `${rule} is not a rule of the corpus`);
    for (const entry of DISAGREEMENTS) {
      assert.ok(entry.rule in RULES_IN_SCOPE, `disagreement on ${entry.rule}, which is not in scope`);
      assert.ok(cases.get(entry.rule)?.includes(entry.case), `disagreement on ${entry.rule}/${entry.case}, which is not a case`);
      assert.ok(entry.reason.length > 20, `${entry.rule}/${entry.case}: give the reason`);
    }
  });

  // An id several rules carry (C-0211 "security context") cannot tell which of them a control answers.
  const count = new Map<string, number>();
  for (const rule of rules) for (const id of rule.ids) count.set(id, (count.get(id) ?? 0) + 1);
  const sharedIds = new Set([...count].filter(([, n]) => n > 1).map(([id]) => id));

  for (const rule of rules) {
    const scope = RULES_IN_SCOPE[rule.name];
    if (scope === undefined) continue;
    describe(`${rule.name} (${scope.family})`, () => {
      const controls = answering(rule, scope, sharedIds);
      it('is answered by Bulwark controls', () => assert.ok(typeof controls !== 'string', String(controls)));
      if (typeof controls === 'string') return;
      for (const name of cases.get(rule.name) ?? []) {
        const dir = root('rules', rule.name, 'test', name);
        const disagreement = DISAGREEMENTS.find((entry) => entry.rule === rule.name && entry.case === name);
        it(name, (t) => {
          const found = difference(dir, controls, scope);
          if (disagreement === undefined) assert.equal(found, undefined, `${rule.name}/${name} (controls ${[...controls].join(', ')})`);
          else {
            assert.ok(found !== undefined, `${rule.name}/${name} is listed in DISAGREEMENTS but Bulwark now agrees; remove the entry`);
            t.diagnostic(`deliberate disagreement: ${disagreement.reason}`);
          }
        });
      }
    });
  }
});
