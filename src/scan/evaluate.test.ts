import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig } from '../config/config.ts';
import { streamInputs, type LoadedUnit } from '../load/index.ts';
import { parsePssVersion } from '../pss/version.ts';
import { createEvaluator, type EvaluationSettings } from './evaluate.ts';

const pod = (name: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - {name: app, image: app}\n`;

// An audit policy whose search for a leaking request reaches its bound: the audit checks report it
// as a warning (E_TOO_LARGE) instead of passing it silently.
const names = (prefix: string): string => `[${Array.from({ length: 12 }, (_, i) => `${prefix}${i}`).join(', ')}]`;
const wideRule = (i: number): string =>
  `- level: Metadata\n  users: ${names(`u${i}-`)}\n  userGroups: ${names(`g${i}-`)}\n  namespaces: ${names(`n${i}-`)}\n  resources: [{group: "", resources: [secrets, configmaps], resourceNames: ${names(`o${i}-`)}}]\n`;
const widePolicy = `apiVersion: audit.k8s.io/v1\nkind: Policy\nmetadata: {name: wide}\nrules:\n${Array.from({ length: 20 }, (_, i) => wideRule(i)).join('')}- level: Metadata\n`;

describe('evaluating a file read in parts', () => {
  it('reports what a whole-file unit reports: the same findings, the file’s diagnostics first and then the checks’', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bulwark-evaluate-'));
    try {
      const text = [...Array.from({ length: 20 }, (_, i) => pod(`p${i}`)), widePolicy, ...Array.from({ length: 20 }, (_, i) => pod(`q${i}`)), 'metadata: [\n'].join('---\n');
      const file = join(root, 'mixed.yaml');
      writeFileSync(file, text);
      const settings: EvaluationSettings = { config: defaultConfig(root), level: 'restricted', version: parsePssVersion('latest'), now: '2026-11-27T00:00:00Z' };

      const parts: LoadedUnit[] = [];
      for await (const unit of streamInputs([file])) parts.push(unit);
      assert.ok(parts.length >= 3 && parts[0]!.partial === true, `${parts.length} parts`);
      const inParts = createEvaluator(settings);
      const partResults = parts.map((unit) => inParts.evaluate(unit));

      const whole: LoadedUnit = { file, objects: parts.flatMap((unit) => unit.objects), diagnostics: parts.at(-1)!.diagnostics, read: true };
      const wholeResult = createEvaluator(settings).evaluate(whole);

      const diagnostics = partResults.flatMap((result) => result.diagnostics);
      assert.deepEqual(diagnostics, wholeResult.diagnostics);
      const codes = diagnostics.map((d) => d.code ?? d.level);
      // The parse error of the last document comes before the warning about the policy in the middle.
      assert.ok(codes.indexOf('E_PARSE') >= 0 && codes.indexOf('E_TOO_LARGE') > codes.indexOf('E_PARSE'), codes.join(', '));
      assert.deepEqual(partResults.flatMap((result) => result.findings).length, wholeResult.findings.length);
      assert.equal(partResults.filter((result) => result.read).length, 1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
