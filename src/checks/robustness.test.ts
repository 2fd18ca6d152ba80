// Every check of the catalog, per-object and cross-object, over the catalog's own fixtures with values
// replaced by anything a manifest can hold: a hostile or mistaken value must give findings or none,
// never an exception (one would fail the whole scan). Starting from the fixtures gets the values past
// each check's guards (kinds, namespaces, component names) into the logic that reads them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../core/index.ts';
import { createObjectSet } from '../engine/object-set.ts';
import { runChecks, runSetChecks } from '../engine/run.ts';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { allChecks, allSetChecks } from './catalog.ts';
import { DEFAULT_CHECK_OPTIONS, type ScanSettings } from './check.ts';

const settings: ScanSettings = {
  pss: { level: 'restricted', version: 'latest' },
  // Every opt-in check too, and configured registries, so that no check is skipped for want of settings.
  options: {
    ...DEFAULT_CHECK_OPTIONS,
    images: { allowedRegistries: ['registry.example.com'], privateRegistries: ['registry.example.com'], floatingTags: ['latest', 'main'] },
    enabled: allChecks.filter((check) => check.optIn === true).map((check) => check.id),
  },
};

/** Each fixture of the catalog (a per-object check's document, or a cross-object check's set), as raw objects. */
const fixtures: Record<string, unknown>[][] = [...allChecks, ...allSetChecks].flatMap((check) =>
  [...check.fixtures.fail, ...check.fixtures.pass].map((text) => objectsFromYaml(text).map((object) => structuredClone(object.raw) as Record<string, unknown>)),
);

/** The paths to every value inside `value` (not the root), for the mutation to pick from. */
function pathsIn(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object' || out.length > 400) return out;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  for (const [key, item] of entries) {
    const path = [...prefix, key];
    out.push(path);
    pathsIn(item, path, out);
  }
  return out;
}

function replaced(root: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let at: Record<string | number, unknown> = root;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = value;
}

function asObject(raw: Record<string, unknown>, index: number): KubeObject | undefined {
  const { apiVersion, kind } = raw;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const metadata = (raw['metadata'] ?? {}) as Record<string, unknown>;
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : `o${index}`;
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : null;
  return { apiVersion, kind, namespace, name, raw, source: { file: 'f', document: index, line: 1, column: 1 }, positions: { locate: () => ({ line: 1, column: 1 }) } };
}

// What YAML can hold, including mappings whose keys shadow Object.prototype (`{toString: []}`), which
// made String() and template literals throw.
const value = fc.oneof(
  fc.anything({ maxDepth: 3, withObjectString: true }),
  fc.constantFrom<unknown>({ toString: [] }, { toString: 'x', valueOf: {} }, { constructor: 1, hasOwnProperty: [] }),
);
const mutation = fc.record({ which: fc.nat(), where: fc.nat(), value: fc.oneof(value, fc.constant(undefined)) });

test('no check throws on arbitrary values anywhere in its fixtures, alone or across objects', () => {
  const reported = new Set<string>();
  fc.assert(
    fc.property(fc.nat({ max: fixtures.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (index, mutations) => {
      const raws = structuredClone(fixtures[index]!);
      for (const { which, where, value: replacement } of mutations) {
        const root = raws[which % raws.length]!;
        const paths = pathsIn(root);
        // A copy: generated values may be shared (constants), and a later mutation may land inside this one.
        if (paths.length > 0) replaced(root, paths[where % paths.length]!, structuredClone(replacement));
      }
      const objects = raws.flatMap((raw, i) => asObject(raw, i) ?? []);
      const own = runChecks(objects, allChecks, { settings });
      const across = runSetChecks(createObjectSet(objects), allSetChecks, { settings });
      for (const finding of [...own.findings, ...across.findings]) reported.add(finding.control);
    }),
    { numRuns: Number(process.env['ROBUSTNESS_RUNS'] ?? 300) },
  );
  // The values reach the checks' logic, not only their guards: most controls report something.
  const controls = allChecks.length + allSetChecks.length;
  assert.ok(reported.size >= controls / 2, `only ${reported.size} of ${controls} controls reported anything`);
});
