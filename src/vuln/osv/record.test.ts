import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { missingOsv, sharedOsvRecords } from '../testing/shared-osv.ts';
import { normalizePackageName, splitEcosystem } from './ecosystem.ts';
import { OSV_LIMITS, parseOsvRecord, readOsvRecord } from './record.ts';

const minimal = (extra: Record<string, unknown> = {}) => ({
  id: 'TEST-2024-0001',
  modified: '2024-01-01T00:00:00Z',
  affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }] }],
  ...extra,
});

describe('reading OSV records', () => {
  it('reads every real record of the shared corpus', { skip: missingOsv }, () => {
    const records = sharedOsvRecords();
    assert.ok(records.size >= 15);
    for (const [id, { text, path }] of records) {
      const record = parseOsvRecord(text, path);
      assert.equal(record.id, id);
      assert.ok(record.summary.length > 0, `${id} has a summary or details`);
    }
  });

  it('keeps severities, ecosystem ratings and RustSec CVSS vectors', { skip: missingOsv }, () => {
    const records = sharedOsvRecords();
    const ghsa = parseOsvRecord(records.get('GHSA-c2qf-rxjj-qqgw')!.text, 'ghsa');
    assert.deepEqual(ghsa.severity, [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' }]);
    const debian = parseOsvRecord(records.get('CVE-2024-1013')!.text, 'debian');
    assert.equal(debian.affected[0]!.ecosystemSeverity, 'unimportant');
    const rust = parseOsvRecord(records.get('RUSTSEC-2020-0071')!.text, 'rust');
    assert.equal(rust.affected[0]!.severity[0]!.type, 'CVSS_V3');
  });

  it('names the record and the field of every problem', () => {
    const cases: [unknown, RegExp][] = [
      [[], /\(record\): expected an object/],
      [{ modified: 'x' }, /id: expected a string/],
      [{ id: ' spaces ' }, /not an identifier/],
      [minimal({ affected: {} }), /TEST-2024-0001: affected: expected an array/],
      [minimal({ affected: [{ package: { ecosystem: 'npm' } }] }), /affected\[0\]\.package\.name: expected a string/],
      [minimal({ affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1' }] }] }] }), /events\[0\]: expected exactly one/],
      [minimal({ affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ fixed: 3 }] }] }] }), /events\[0\]\.fixed: expected a string/],
      [minimal({ aliases: 'CVE-1' }), /aliases: expected an array/],
      [minimal({ severity: [{ type: 'CVSS_V3' }] }), /severity\[0\]\.score: expected a string/],
    ];
    for (const [value, message] of cases) {
      assert.throws(
        () => readOsvRecord(value, 'feed.zip!x.json'),
        (e: unknown) => e instanceof BulwarkError && e.code === 'E_PARSE' && e.message.startsWith('feed.zip!x.json: ') && message.test(e.message),
        String(message),
      );
    }
  });

  it('bounds arrays and the record size', () => {
    const versions = Array.from({ length: OSV_LIMITS.versions + 1 }, (_, i) => String(i));
    assert.throws(() => readOsvRecord(minimal({ affected: [{ package: { ecosystem: 'npm', name: 'x' }, versions }] }), 'big'), /more than/);
    assert.throws(() => parseOsvRecord(' '.repeat(OSV_LIMITS.recordBytes + 1), 'huge'), (e: unknown) => e instanceof BulwarkError && e.code === 'E_TOO_LARGE');
    assert.throws(() => parseOsvRecord('{"id":', 'broken'), (e: unknown) => e instanceof BulwarkError && /not valid JSON/.test(e.message));
  });

  it('takes the summary from details when there is none, bounded', () => {
    const record = readOsvRecord(minimal({ details: `\nFirst line ${'x'.repeat(5000)}\nsecond` }), 'r');
    assert.ok(record.summary.startsWith('First line'));
    assert.ok(record.summary.length <= OSV_LIMITS.summary);
  });

  it('never fails with anything but a typed error, on arbitrary or mutated records', { skip: missingOsv }, () => {
    const real = [...sharedOsvRecords().values()].map((r) => JSON.parse(r.text) as unknown);
    const mutate = (value: unknown, path: number[], replacement: unknown): unknown => {
      if (path.length === 0 || typeof value !== 'object' || value === null) return replacement;
      const keys = Object.keys(value);
      if (keys.length === 0) return replacement;
      const key = keys[path[0]! % keys.length]!;
      const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...(value as Record<string, unknown>) };
      copy[key] = mutate((value as Record<string, unknown>)[key], path.slice(1), replacement);
      return copy;
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json().map((text) => ({ text })),
          fc.tuple(fc.constantFrom(...real), fc.array(fc.nat(), { maxLength: 6 }), fc.jsonValue()).map(([record, path, replacement]) => ({ value: mutate(record, path, replacement) })),
          fc.string().map((text) => ({ text })),
        ),
        (input) => {
          try {
            if ('text' in input) parseOsvRecord(input.text, 'fuzz');
            else readOsvRecord(input.value, 'fuzz');
          } catch (error) {
            assert.ok(error instanceof BulwarkError, String(error));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('ecosystem names', () => {
  it('splits the release off at the first colon', () => {
    assert.deepEqual(splitEcosystem('Debian:12'), { base: 'Debian', release: '12' });
    assert.deepEqual(splitEcosystem('Red Hat:rhel_eus:9.2::baseos'), { base: 'Red Hat', release: 'rhel_eus:9.2::baseos' });
    assert.deepEqual(splitEcosystem('npm'), { base: 'npm', release: '' });
  });

  it('normalises PyPI names as PEP 503 does, and no other ecosystem', () => {
    assert.equal(normalizePackageName('PyPI', 'Flask_Caching'), 'flask-caching');
    assert.equal(normalizePackageName('PyPI', 'zope.Interface'), 'zope-interface');
    assert.equal(normalizePackageName('npm', 'Left_Pad'), 'Left_Pad');
  });
});
