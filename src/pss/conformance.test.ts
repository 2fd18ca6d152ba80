// Every upstream Pod Security Admission fixture at its level and version: `pass` must be admitted
// (no PSS violation), `fail` denied, and denied by the check the fixture was written for, so a right
// verdict for a wrong reason fails. At restricted a field that both a baseline check and the stricter
// check overriding it reject is reported by the baseline check; every case also holds to that split.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { missingShared, sharedPath } from '../../test/support/shared.ts';
import type { PssLevel } from '../core/index.ts';
import { parseYamlStream } from '../load/yaml.ts';
import { pssCheckByUpstreamId, type PssCheck } from './catalog.ts';
import { evaluatePod } from './evaluate.ts';
import { attributionErrors, overridePairs } from './testing/attribution.ts';
import { isPssVersion, type PssVersion } from './version.ts';

interface Case {
  level: PssLevel;
  version: PssVersion;
  expected: 'allow' | 'deny';
  /** Upstream check id as written in the file name (lower case). */
  check: string;
  file: string;
}

const skip = missingShared('conformance', 'pss', 'cases.tsv');

function readCases(): Case[] {
  const lines = readFileSync(sharedPath('conformance', 'pss', 'cases.tsv'), 'utf8').split('\n');
  const cases: Case[] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const [level, version, expected, check, file] = line.split('\t');
    assert.ok(level === 'baseline' || level === 'restricted', `level in ${line}`);
    assert.ok(isPssVersion(version), `version in ${line}`);
    assert.ok(expected === 'allow' || expected === 'deny', `expected in ${line}`);
    assert.ok(check !== undefined && file !== undefined, `columns in ${line}`);
    cases.push({ level, version, expected, check, file });
  }
  return cases;
}

function loadObject(file: string): Record<string, unknown> {
  const outcome = parseYamlStream(readFileSync(sharedPath('conformance', 'pss', file), 'utf8'), file);
  assert.deepEqual(outcome.errors, [], `${file} parses`);
  assert.equal(outcome.documents.length, 1, `${file} holds one object`);
  const value = outcome.documents[0]!.value;
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `${file} is an object`);
  return value as Record<string, unknown>;
}

/**
 * The Bulwark checks allowed to explain a denial of a fixture written for `upstreamId`: that check,
 * which is in force wherever its fixtures are, and at restricted the baseline checks its revision
 * overrides, since a field both reject is reported by the baseline one.
 */
function explainingChecks(upstreamId: string, level: PssLevel, version: PssVersion): Set<string> {
  const check: PssCheck | undefined = pssCheckByUpstreamId(upstreamId);
  assert.ok(check !== undefined, `an upstream check named ${upstreamId}`);
  assert.ok(check.ruleFor(level, version) !== undefined, `${check.id} in force at ${level} ${version}`);
  const explaining = new Set([check.id]);
  if (level === 'restricted') {
    for (const { baseline, stricter } of overridePairs(version)) {
      if (stricter.upstreamId === check.upstreamId) explaining.add(baseline.id);
    }
  }
  return explaining;
}

/** The same pod as the template of another workload kind, to run the corpus through every extractor. */
function asWorkload(pod: Record<string, unknown>, index: number): { object: Record<string, unknown>; prefix: string[] } {
  const template = { metadata: pod['metadata'], spec: pod['spec'] };
  switch (index % 4) {
    case 0:
      return { object: pod, prefix: [] };
    case 1:
      return {
        object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template } },
        prefix: ['spec', 'template'],
      };
    case 2:
      return {
        object: {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: { name: 'c' },
          spec: { schedule: '@daily', jobTemplate: { spec: { template } } },
        },
        prefix: ['spec', 'jobTemplate', 'spec', 'template'],
      };
    default:
      return { object: { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 't' }, template }, prefix: ['template'] };
  }
}

test('upstream Pod Security Admission fixtures', { skip }, async (t) => {
  const cases = readCases();
  assert.ok(cases.length >= 2000, `expected the full corpus, found ${cases.length} cases`);
  const mismatches: string[] = [];
  let passes = 0;
  let fails = 0;
  cases.forEach((entry, index) => {
    const pod = loadObject(entry.file);
    const { object, prefix } = asWorkload(pod, index);
    const result = evaluatePod(object, entry.level, entry.version);
    const where = `${entry.file} (${entry.level} ${entry.version}, as ${String(object['kind'])})`;
    for (const error of attributionErrors(object, entry.level, entry.version)) mismatches.push(`${where}: ${error}`);
    if (entry.expected === 'allow') {
      passes++;
      if (result.size > 0) {
        mismatches.push(`${where}: expected allowed, got ${JSON.stringify([...result])}`);
      }
      return;
    }
    fails++;
    if (result.size === 0) {
      mismatches.push(`${where}: expected denied, got no violation`);
      return;
    }
    if (entry.check === 'base_linux' || entry.check === 'base_windows') return;
    const explaining = explainingChecks(entry.check, entry.level, entry.version);
    if (![...result.keys()].some((id) => explaining.has(id))) {
      mismatches.push(`${where}: denied by ${[...result.keys()].join(', ')}, expected one of ${[...explaining].join(', ')}`);
    }
    for (const [id, violations] of result) {
      for (const violation of violations) {
        if (!prefix.every((segment, i) => violation.path[i] === segment)) {
          mismatches.push(`${where}: ${id} path ${JSON.stringify(violation.path)} is not inside the pod template`);
        }
      }
    }
  });
  t.diagnostic(`${passes} allowed and ${fails} denied cases checked`);
  assert.deepEqual(mismatches, [], `${mismatches.length} of ${cases.length} cases disagree with upstream`);
});
