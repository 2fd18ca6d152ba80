// Every case of the upstream version-ordering corpora (dpkg, rpm, apk-tools, node-semver) in
// ../shared/conformance/versions. The corpus is half of upstream's: the implementations follow
// the specifications, never these rows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { missingShared, sharedPath } from '../../../test/support/shared.ts';
import { compareApk } from './apk.ts';
import { compareDpkg, parseDpkgVersion, type DpkgVersion } from './dpkg.ts';
import { compareNpm, parseNpmVersion } from './npm-semver.ts';
import { satisfies } from './npm-range.ts';
import { rpmvercmp } from './rpm.ts';
import { sign } from './scheme.ts';
import { dpkgScheme } from './dpkg.ts';

const dir = (...parts: string[]): string => sharedPath('conformance', 'versions', ...parts);
const missing = missingShared('conformance', 'versions');

function tsv(path: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
  const columns = header!.split('\t');
  return rows.map((row) => {
    const cells = row.split('\t');
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
  });
}

function jsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('dpkg (Debian Policy §5.6.12, dpkg test vectors)', { skip: missing }, () => {
  it('compares every pair of dpkg-compare.tsv with the expected sign, both ways', () => {
    const rows = tsv(dir('dpkg', 'dpkg-compare.tsv'));
    assert.ok(rows.length > 10);
    for (const row of rows) {
      const a = dpkgScheme.parse(row.a!);
      const b = dpkgScheme.parse(row.b!);
      assert.equal(sign(compareDpkg(a, b)), Number(row.expected_sign), `${row.a} vs ${row.b}`);
      assert.equal(sign(compareDpkg(b, a)), sign(-Number(row.expected_sign)), `${row.b} vs ${row.a}`);
    }
  });

  it('parses, warns and refuses every input of dpkg-parse.jsonl as dpkg does', () => {
    const rows = jsonl(dir('dpkg', 'dpkg-parse.jsonl'));
    assert.ok(rows.length > 30);
    for (const row of rows) {
      const input = row.input as string;
      const result = parseDpkgVersion(input);
      const label = JSON.stringify(input);
      switch (row.expected) {
        case 'ok':
          assert.ok(result.ok, `${label} accepted`);
          assert.equal(result.version.warning, undefined, `${label} without warning`);
          assert.deepEqual(
            { epoch: result.version.epoch, upstream: result.version.upstream, revision: result.version.revision },
            { epoch: row.epoch, upstream: row.upstream, revision: row.revision },
            label,
          );
          break;
        case 'error':
          assert.equal(result.ok, false, `${label} refused`);
          break;
        case 'warn':
        case 'invalid':
          assert.ok(!result.ok || result.version.warning !== undefined, `${label} flagged`);
          break;
        default:
          assert.fail(`unknown expectation ${String(row.expected)}`);
      }
    }
  });

  const structured = (epoch: string, upstream: string, revision: string): DpkgVersion => ({ epoch: Number(epoch), upstream, revision });

  it('compares the structured versions of dpkg-compare-structured.tsv', () => {
    for (const row of tsv(dir('dpkg', 'dpkg-compare-structured.tsv'))) {
      const r = sign(compareDpkg(structured(row.a_epoch!, row.a_upstream!, row.a_revision!), structured(row.b_epoch!, row.b_upstream!, row.b_revision!)));
      if (row.expected === 'nonzero') assert.notEqual(r, 0, JSON.stringify(row));
      else assert.equal(r, Number(row.expected), JSON.stringify(row));
    }
  });

  it('relates the structured versions of dpkg-relate-structured.tsv', () => {
    const relate: Record<string, (r: number) => boolean> = {
      EQ: (r) => r === 0,
      LT: (r) => r < 0,
      LE: (r) => r <= 0,
      GT: (r) => r > 0,
      GE: (r) => r >= 0,
    };
    for (const row of tsv(dir('dpkg', 'dpkg-relate-structured.tsv'))) {
      const r = compareDpkg(structured(row.a_epoch!, row.a_upstream!, row.a_revision!), structured(row.b_epoch!, row.b_upstream!, row.b_revision!));
      assert.equal(relate[row.relation!]!(r), row.expected === 'true', JSON.stringify(row));
    }
  });
});

describe('rpmvercmp (rpm tests/rpmvercmp.at)', { skip: missing }, () => {
  it('compares every active row with the expected sign', () => {
    const rows = tsv(dir('rpm', 'rpmvercmp.tsv')).filter((row) => row.status === 'active');
    assert.ok(rows.length > 20);
    for (const row of rows) assert.equal(sign(rpmvercmp(row.a!, row.b!)), Number(row.expected_sign), `${row.a} vs ${row.b}`);
  });
});

describe('apk-tools version ordering (test/version.data)', { skip: missing }, () => {
  it('compares every row with the expected sign, both ways', () => {
    const rows = tsv(dir('apk', 'apk-compare.tsv'));
    assert.ok(rows.length > 300);
    for (const row of rows) {
      assert.equal(sign(compareApk(row.a!, row.b!)), Number(row.expected_sign), `line ${row.line}: ${row.a} ${row.op} ${row.b}`);
      assert.equal(sign(compareApk(row.b!, row.a!)), sign(-Number(row.expected_sign)), `line ${row.line} reversed`);
    }
  });
});

describe('node-semver fixtures', { skip: missing }, () => {
  for (const file of ['comparisons.jsonl', 'equality.jsonl']) {
    it(`compares every pair of ${file}`, () => {
      const rows = jsonl(dir('node-semver', file));
      assert.ok(rows.length > 10);
      for (const row of rows) {
        const options = { loose: row.loose === true, includePrerelease: row.includePrerelease === true };
        const expected = (row.expected as Record<string, number>)['compare(v1,v2)']!;
        const a = parseNpmVersion(row.v1 as string, options);
        const b = parseNpmVersion(row.v2 as string, options);
        assert.equal(sign(compareNpm(a, b)), expected, `${String(row.v1)} vs ${String(row.v2)}`);
        assert.equal(sign(compareNpm(b, a)), sign(-expected), `${String(row.v2)} vs ${String(row.v1)}`);
      }
    });
  }

  for (const file of ['range-include.jsonl', 'range-exclude.jsonl']) {
    it(`decides satisfies() for every case of ${file}`, () => {
      const rows = jsonl(dir('node-semver', file));
      assert.ok(rows.length > 30);
      for (const row of rows) {
        const options = { loose: row.loose === true, includePrerelease: row.includePrerelease === true };
        const expected = (row.expected as { satisfies: boolean }).satisfies;
        assert.equal(
          satisfies(row.version, row.range as string, options),
          expected,
          `${JSON.stringify(row.version)} in ${JSON.stringify(row.range)} ${JSON.stringify(options)}`,
        );
      }
    });
  }
});
