import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SEVERITIES } from '../core/index.ts';
import { ConfigError } from './errors.ts';
import { readConfig, validConfigFile } from './read.ts';
import { configFileSchema } from './schema.ts';

const known = new Set(['pss-privileged', 'pss-host-namespaces', 'pss-host-ports', 'image-latest-tag', 'exception-expired']);
const schema = configFileSchema(known);

/** A value drawn mostly from what a valid file holds, sometimes from what the schema refuses. */
const pick = <T>(valid: readonly T[], invalid: readonly unknown[]) =>
  fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 40 }, { arbitrary: fc.constantFrom(...invalid), weight: 1 });

const controlId = pick([...known, '*'], ['pss-privilegd', '', 7, null, ['pss-privileged']]);
const severity = pick(SEVERITIES, ['hgh', 'HIGH', 3, null]);
const nameGlob = pick(['kube-system', 'monitoring-*', 'web?', 'x'], ['', '   ', 5, null, ['a']]);
const pathGlob = pick(['charts/**/tests/**', '**/*.generated.yaml', 'vendor'], ['/abs/path', 'a/../b', 'a\\b', '', 1]);
const kind = pick(['DaemonSet', 'Deployment', 'pod'], ['Daemon Set', '1Pod', '', 2]);
const date = pick(['2027-03-31', '2028-02-29', new Date(Date.UTC(2027, 2, 31))], ['2027-02-30', '31.03.2027', new Date('2027-03-31T10:00:00Z'), null, 20270331]);
const quantity = pick(['500m', '1Gi', '2', 1, 0.5, '100Mi'], ['abc', '-', Number.NaN, null, true, '1Gb']);
const registry = pick(['registry.example.com', '*.corp.example', 'docker.io/bitnami'], ['https://registry.example.com', '', 3]);
const imageTag = pick(['latest', 'stable', 'v1.2_rc-1'], ['-bad', 'a b', '', 4]);
const namespaceGlob = pick(['kube-system', 'monitoring-*'], ['Kube-System', '-x', '', 9]);

/** Some of `fields` (each maybe left out), now and then with a key the schema does not know. */
function mappingOf(fields: Record<string, fc.Arbitrary<unknown>>, required: readonly string[] = []): fc.Arbitrary<unknown> {
  const keys = Object.keys(fields);
  const record = fc.record(fields, { requiredKeys: keys.filter((key) => required.includes(key)) as never[] });
  return fc.oneof(
    { arbitrary: record, weight: 40 },
    { arbitrary: record.map((value) => ({ ...(value as object), colour: 'red' })), weight: 1 },
    { arbitrary: fc.constantFrom(null, 'text', [], 1, new Date(0)), weight: 1 },
  );
}

const listOf = (item: fc.Arbitrary<unknown>, minLength = 0) =>
  fc.oneof({ arbitrary: fc.array(item, { minLength, maxLength: 3 }), weight: 40 }, { arbitrary: fc.constantFrom('one', null, {}, []), weight: 1 });

const bounds = fc
  .record({ requestMin: quantity, requestMax: quantity, limitMin: quantity, limitMax: quantity }, { requiredKeys: [] })
  .chain((value) => fc.oneof({ arbitrary: fc.constant(value as unknown), weight: 40 }, { arbitrary: fc.constantFrom(null, 'x', { cpu: 1 }), weight: 1 }));

const configValue = mappingOf(
  {
    version: pick([1], [2, '1', null]),
    pss: mappingOf({ level: pick(['baseline', 'restricted'], ['baselin', 1]), version: pick(['v1.30', 'latest', 'v1.0'], ['1.30', 'v2.0', 1.3]) }),
    failOn: severity,
    exclude: listOf(pathGlob),
    controls: mappingOf({
      disable: listOf(controlId),
      enable: listOf(controlId),
      severity: fc.oneof(fc.dictionary(controlId.filter((id): id is string => typeof id === 'string'), severity, { maxKeys: 3 }), fc.constantFrom(null, [], 'x')),
    }),
    checks: mappingOf({
      images: mappingOf({ allowedRegistries: listOf(registry), privateRegistries: listOf(registry), floatingTags: listOf(imageTag) }),
      resources: mappingOf({ cpu: bounds, memory: bounds }),
    }),
    exceptions: listOf(
      mappingOf(
        {
          controls: listOf(controlId, 1),
          namespaces: listOf(nameGlob, 1),
          kinds: listOf(kind, 1),
          names: listOf(nameGlob, 1),
          reason: pick(['SEC-1234: node agent', '  sandbox  '], ['', '  ', 5, null]),
          expires: date,
        },
        ['controls', 'reason'],
      ),
    ),
    cluster: mappingOf({ excludeNamespaces: listOf(namespaceGlob) }),
  },
  ['version'],
);

describe('validConfigFile: the schema library left out for valid files', () => {
  it('accepts only what the schema accepts, and reads it exactly as the schema does', () => {
    let accepted = 0;
    fc.assert(
      fc.property(configValue, (value) => {
        const fast = validConfigFile(value, known);
        const slow = schema.safeParse(value);
        if (fast === undefined) return;
        accepted++;
        assert.ok(slow.success, `read.ts accepted what the schema refuses: ${JSON.stringify(value)}`);
        assert.deepStrictEqual(fast, slow.data);
      }),
      { numRuns: 1500 },
    );
    assert.ok(accepted > 60, `too few valid samples to compare (${accepted})`);
  });

  it('vouches for every file the schema accepts that a YAML file can hold', () => {
    // Dates in place of mappings are accepted by the schema's object type but never written on
    // purpose; those (and only those) go the slow way.
    const holdsNoDate = (value: unknown): boolean =>
      value instanceof Date ? false : Array.isArray(value) ? value.every(holdsNoDate) : value !== null && typeof value === 'object' ? Object.values(value).every(holdsNoDate) : true;
    fc.assert(
      fc.property(configValue, (value) => {
        const slow = schema.safeParse(value);
        if (!slow.success) return;
        const misplacedDate = !holdsNoDate({ ...(value as object), exceptions: undefined });
        if (misplacedDate) return;
        assert.notEqual(validConfigFile(value, known), undefined, `read.ts refused what the schema accepts: ${JSON.stringify(value)}`);
      }),
      { numRuns: 1500 },
    );
  });

  it('reads a typical file without the schema', () => {
    const text = [
      'version: 1',
      'pss: { level: baseline, version: v1.30 }',
      'failOn: high',
      'exclude: ["charts/**/tests/**"]',
      'controls:',
      '  disable: [pss-host-ports]',
      '  severity: { pss-privileged: low }',
      'checks:',
      '  images: { allowedRegistries: [registry.example.com], floatingTags: [latest, stable] }',
      '  resources: { cpu: { requestMin: 100m, limitMax: 2 }, memory: { limitMax: 1Gi } }',
      'exceptions:',
      '  - controls: [pss-privileged]',
      '    namespaces: ["monitoring-*"]',
      '    reason: node agent (SEC-1)',
      '    expires: 2027-03-31',
      'cluster: { excludeNamespaces: [kube-system] }',
      '',
    ].join('\n');
    const read = readConfig(text, '.bulwark.yaml', known, '/repo');
    assert.ok('config' in read);
    assert.equal(read.config.failOn, 'high');
    assert.deepEqual(read.config.checks.resources.cpu, { requestMin: '100m', limitMax: '2' });
    assert.equal(read.config.exceptions[0]?.expires, '2027-03-31');
    assert.deepEqual(read.config.exceptions[0]?.location, { file: '.bulwark.yaml', line: 12, column: 5 });
  });

  it('hands a file with a mistake to the schema, and throws itself for what comes before validation', () => {
    const read = readConfig('version: 1\nfailOn: hgh\n', '.bulwark.yaml', known, '/repo');
    assert.ok('refused' in read);
    assert.throws(() => readConfig('version: 1\n---\nversion: 1\n', '.bulwark.yaml', known, '/repo'), ConfigError);
    assert.throws(() => readConfig('version: [1\n', '.bulwark.yaml', known, '/repo'), ConfigError);
  });

  it('never throws anything but a ConfigError on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          readConfig(text, '.bulwark.yaml', known, '/repo');
        } catch (error) {
          assert.ok(error instanceof ConfigError, String(error));
        }
      }),
      { numRuns: 500 },
    );
  });
});
