import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { missingOsv, sharedOsvRecords } from '../testing/shared-osv.ts';
import { splitEcosystem } from './ecosystem.ts';
import { evaluateRange, inVersionList, Orderings } from './evaluate.ts';
import { parseOsvRecord, type OsvRange } from './record.ts';

/** Whether `version` of `name` is affected by the record, and the fix reported. */
function verdict(id: string, name: string, version: string): { affected: boolean; fixed: string | undefined } {
  const entry = sharedOsvRecords().get(id);
  assert.ok(entry, `record ${id}`);
  const record = parseOsvRecord(entry.text, entry.path);
  const orderings = new Orderings();
  let affected = false;
  let fixed: string | undefined;
  for (const a of record.affected) {
    if (a.name !== name) continue;
    const { base } = splitEcosystem(a.ecosystem);
    for (const range of a.ranges) {
      const v = evaluateRange(range, base, version, orderings);
      if ('unevaluable' in v) continue;
      if (v.affected) {
        affected = true;
        fixed ??= v.fixed;
      }
    }
    if (!affected && inVersionList(a.versions, base, version, orderings)) affected = true;
  }
  return { affected, fixed };
}

describe('evaluating the real OSV records', { skip: missingOsv }, () => {
  const cases: [string, string, string, boolean, string | undefined][] = [
    // Debian: dpkg ordering, a fix in a stable update.
    ['DSA-3029-1', 'nginx', '1.2.1-2.2+wheezy2', true, '1.2.1-2.2+wheezy3'],
    ['DSA-3029-1', 'nginx', '1.2.1-2.2+wheezy3', false, undefined],
    ['DSA-3029-1', 'nginx', '1.2.1-2.2+wheezy3~bpo1', true, '1.2.1-2.2+wheezy3'],
    ['DSA-3029-1', 'nginx', '1:1.0-1', false, undefined],
    // Debian, unfixed: only `introduced: 0`.
    ['CVE-2024-1013', 'unixodbc', '2.3.6-0.1', true, undefined],
    // npm: three branches in three affected entries.
    ['GHSA-c2qf-rxjj-qqgw', 'semver', '7.5.1', true, '7.5.2'],
    ['GHSA-c2qf-rxjj-qqgw', 'semver', '7.5.2', false, undefined],
    ['GHSA-c2qf-rxjj-qqgw', 'semver', '6.3.0', true, '6.3.1'],
    ['GHSA-c2qf-rxjj-qqgw', 'semver', '6.3.1', false, undefined],
    ['GHSA-c2qf-rxjj-qqgw', 'semver', '5.7.1', true, '5.7.2'],
    ['GHSA-c2qf-rxjj-qqgw', 'semver', '7.0.0-rc.1', false, undefined],
    ['GHSA-c2qf-rxjj-qqgw', 'semver', '7.6.0', false, undefined],
    // PyPI: PEP 440 ordering, two intervals in one range.
    ['PYSEC-2011-1', 'django', '1.2.6', true, '1.2.7'],
    ['PYSEC-2011-1', 'django', '1.2.7', false, undefined],
    ['PYSEC-2011-1', 'django', '1.3', true, '1.3.1'],
    ['PYSEC-2011-1', 'django', '1.3.0', true, '1.3.1'],
    ['PYSEC-2011-1', 'django', '1.3.1', false, undefined],
    ['PYSEC-2020-176', 'pyyaml', '5.1.2', true, '5.2b1'],
    ['PYSEC-2020-176', 'pyyaml', '5.2a1', true, '5.2b1'],
    ['PYSEC-2020-176', 'pyyaml', '5.2b1', false, undefined],
    ['PYSEC-2020-176', 'pyyaml', '5.0', false, undefined],
    ['PYSEC-2022-166', 'paramiko', '2.9.2', true, '2.9.3'],
    ['PYSEC-2022-166', 'paramiko', '2.9.5', false, undefined],
    ['PYSEC-2022-166', 'paramiko', '2.10.0', true, '2.10.1'],
    // Go: SEMVER ranges against v-prefixed module versions, pseudo-versions and toolchain versions.
    ['GO-2021-0053', 'github.com/gogo/protobuf', 'v1.3.1', true, '1.3.2'],
    ['GO-2021-0053', 'github.com/gogo/protobuf', 'v1.3.2', false, undefined],
    ['GO-2023-1571', 'golang.org/x/net', 'v0.0.0-20220722155237-a158d28d115b', true, '0.7.0'],
    ['GO-2023-1571', 'golang.org/x/net', 'v0.7.0', false, undefined],
    ['GO-2023-1571', 'stdlib', 'go1.20.0', true, '1.20.1'],
    ['GO-2023-1571', 'stdlib', 'go1.19.6', false, undefined],
    ['GO-2023-1571', 'stdlib', 'go1.20rc1', false, undefined],
    // crates.io: SEMVER with pre-release introduced events (0.2.1-0).
    ['RUSTSEC-2020-0071', 'time', '0.1.43', true, '0.2.0'],
    ['RUSTSEC-2020-0071', 'time', '0.2.1', false, undefined],
    ['RUSTSEC-2020-0071', 'time', '0.2.22', true, '0.2.23'],
    ['RUSTSEC-2020-0071', 'time', '0.3.0', false, undefined],
    ['RUSTSEC-2023-0018', 'remove_dir_all', '0.7.0', true, '0.8.0'],
  ];
  for (const [id, name, version, affected, fixed] of cases) {
    it(`${id}: ${name} ${version} is ${affected ? `affected${fixed ? `, fixed in ${fixed}` : ', unfixed'}` : 'not affected'}`, () => {
      assert.deepEqual(verdict(id, name, version), { affected, fixed });
    });
  }

  it('reads the withdrawn records as withdrawn', () => {
    const records = sharedOsvRecords();
    for (const id of ['PYSEC-2021-13', 'PYSEC-2022-15']) {
      const entry = records.get(id)!;
      assert.ok(parseOsvRecord(entry.text, entry.path).withdrawn, id);
    }
  });

  it('does not evaluate GIT ranges and says why', () => {
    const entry = sharedOsvRecords().get('PYSEC-2023-62')!;
    const record = parseOsvRecord(entry.text, entry.path);
    const git = record.affected[0]!.ranges.find((r) => r.type === 'GIT')!;
    assert.ok('unevaluable' in evaluateRange(git, 'PyPI', '2.2.4', new Orderings()));
  });
});

describe('range semantics of the OSV schema', () => {
  const range = (type: string, ...events: [string, string][]): OsvRange => ({
    type,
    events: events.map(([kind, version]) => ({ kind: kind as 'introduced', version })),
  });
  const check = (r: OsvRange, version: string) => evaluateRange(r, 'PyPI', version, new Orderings());

  it('last_affected includes the version itself', () => {
    const r = range('ECOSYSTEM', ['introduced', '1.0'], ['last_affected', '1.4']);
    assert.deepEqual(check(r, '1.4'), { affected: true, fixed: undefined, lastAffected: '1.4' });
    assert.equal((check(r, '1.4.1') as { affected: boolean }).affected, false);
    assert.equal((check(r, '0.9') as { affected: boolean }).affected, false);
  });

  it('limit bounds the range from above; "*" is infinity', () => {
    const limited = range('ECOSYSTEM', ['introduced', '0'], ['limit', '2.0']);
    assert.equal((check(limited, '1.9') as { affected: boolean }).affected, true);
    assert.equal((check(limited, '2.0') as { affected: boolean }).affected, false);
    const unlimited = range('ECOSYSTEM', ['introduced', '0'], ['limit', '*']);
    assert.equal((check(unlimited, '99') as { affected: boolean }).affected, true);
  });

  it('events are evaluated in version order whatever order they are written in', () => {
    const r = range('ECOSYSTEM', ['fixed', '2.0'], ['introduced', '1.5'], ['fixed', '1.2'], ['introduced', '1.0']);
    assert.deepEqual(check(r, '1.1'), { affected: true, fixed: '1.2', lastAffected: undefined });
    assert.equal((check(r, '1.3') as { affected: boolean }).affected, false);
    assert.deepEqual(check(r, '1.7'), { affected: true, fixed: '2.0', lastAffected: undefined });
  });

  it('an unparsable event version makes the range unevaluable, not silently unaffected', () => {
    const r = range('ECOSYSTEM', ['introduced', '0'], ['fixed', 'not a version!']);
    assert.ok('unevaluable' in check(r, '1.0'));
  });

  it('an ecosystem without a known ordering is unevaluable for ECOSYSTEM ranges but fine for SEMVER', () => {
    assert.ok('unevaluable' in evaluateRange(range('ECOSYSTEM', ['introduced', '0']), 'Hackage', '1.0', new Orderings()));
    assert.equal((evaluateRange(range('SEMVER', ['introduced', '0'], ['fixed', '1.2.0']), 'Hackage', '1.1.0', new Orderings()) as { affected: boolean }).affected, true);
  });

  it('explicit version lists compare in the ecosystem ordering', () => {
    assert.equal(inVersionList(['1.0', '2.0rc1'], 'PyPI', '1.0.0', new Orderings()), true);
    assert.equal(inVersionList(['1.0', '2.0rc1'], 'PyPI', '2.0.0rc1', new Orderings()), true);
    assert.equal(inVersionList(['1.0'], 'PyPI', '1.0.1', new Orderings()), false);
    assert.equal(inVersionList(['abc'], 'Hackage', 'abc', new Orderings()), true);
  });
});

describe('every range type and event kind, in each ecosystem of the issue', () => {
  // Five versions in ascending order of the ecosystem's own ordering, chosen where a naive string or
  // numeric comparison would go wrong (epochs, tildes, pre-releases, post-releases, qualifiers).
  const ladders: [base: string, type: 'ECOSYSTEM' | 'SEMVER', versions: [string, string, string, string, string], installed?: (v: string) => string][] = [
    ['Debian', 'ECOSYSTEM', ['1.0-1', '1.0-1+deb12u1', '1.0.1~rc1-1', '1.0.1-1', '1:0.9-1']],
    ['Alpine', 'ECOSYSTEM', ['1.2.3-r0', '1.2.3-r1', '1.2.4_rc1-r0', '1.2.4-r0', '1.2.4_p1-r0']],
    ['Red Hat', 'ECOSYSTEM', ['0:7.76.1-29.el9_4', '0:7.76.1-29.el9_4.1', '0:7.76.2~beta-1.el9', '0:7.76.2-1.el9', '1:7.0-1.el9']],
    ['npm', 'ECOSYSTEM', ['1.0.0-alpha', '1.0.0', '1.0.1-rc.1', '1.0.1', '1.10.0']],
    ['npm', 'SEMVER', ['1.0.0-alpha', '1.0.0', '1.0.1-rc.1', '1.0.1', '1.10.0']],
    ['PyPI', 'ECOSYSTEM', ['1.0a1', '1.0', '1.0.post1', '1.1rc1', '1.10']],
    ['Go', 'SEMVER', ['0.0.0-20220722155237-a158d28d115b', '0.1.0', '1.0.0-rc.1', '1.0.0', '1.10.0'], (v) => `v${v}`],
    ['Maven', 'ECOSYSTEM', ['1.0-alpha1', '1.0-RC1', '1.0', '1.0-sp1', '1.0.1']],
  ];
  const range = (type: string, ...events: [string, string][]): OsvRange => ({ type, events: events.map(([kind, version]) => ({ kind: kind as 'introduced', version })) });

  for (const [base, type, v, installedForm = (x: string) => x] of ladders) {
    const affected = (r: OsvRange, i: number): boolean | string => {
      const verdict = evaluateRange(r, base, installedForm(v[i]!), new Orderings());
      if ('unevaluable' in verdict) return `unevaluable: ${verdict.unevaluable}`;
      return verdict.affected;
    };
    const row = (r: OsvRange): (boolean | string)[] => [0, 1, 2, 3, 4].map((i) => affected(r, i));

    it(`${base} ${type}: introduced + fixed is [introduced, fixed)`, () => {
      const r = range(type, ['introduced', v[1]], ['fixed', v[3]]);
      assert.deepEqual(row(r), [false, true, true, false, false]);
      assert.deepEqual(evaluateRange(r, base, installedForm(v[2]), new Orderings()), { affected: true, fixed: v[3], lastAffected: undefined });
    });
    it(`${base} ${type}: introduced + last_affected is [introduced, last_affected]`, () => {
      const r = range(type, ['introduced', v[1]], ['last_affected', v[3]]);
      assert.deepEqual(row(r), [false, true, true, true, false]);
      assert.deepEqual(evaluateRange(r, base, installedForm(v[3]), new Orderings()), { affected: true, fixed: undefined, lastAffected: v[3] });
    });
    it(`${base} ${type}: introduced 0 alone is every version (unfixed); limit bounds it`, () => {
      assert.deepEqual(row(range(type, ['introduced', '0'])), [true, true, true, true, true]);
      assert.deepEqual(row(range(type, ['introduced', '0'], ['limit', v[2]])), [true, true, false, false, false]);
      assert.deepEqual(row(range(type, ['introduced', '0'], ['limit', '*'])), [true, true, true, true, true]);
    });
    it(`${base} ${type}: two intervals in one range, events written out of order`, () => {
      assert.deepEqual(row(range(type, ['introduced', v[3]], ['fixed', v[1]], ['introduced', '0'], ['fixed', v[4]])), [true, false, false, true, false]);
    });
    if (type === 'ECOSYSTEM') {
      it(`${base}: explicit version lists`, () => {
        assert.equal(inVersionList([v[2]], base, installedForm(v[2]), new Orderings()), true);
        assert.equal(inVersionList([v[2]], base, installedForm(v[1]), new Orderings()), false);
      });
    }
  }

  it('GIT ranges, whatever the ecosystem, are skipped with the git-range reason', () => {
    for (const [base, , v, installedForm = (x: string) => x] of ladders) {
      const verdict = evaluateRange(range('GIT', ['introduced', '0'], ['fixed', 'a'.repeat(40)]), base, installedForm(v[0]), new Orderings());
      assert.ok('unevaluable' in verdict && verdict.reason === 'git-range', base);
    }
  });

  it('reasons are typed: unknown ordering, unparsable installed or event version', () => {
    const unknown = evaluateRange(range('ECOSYSTEM', ['introduced', '0']), 'Hackage', '1.0', new Orderings());
    assert.ok('unevaluable' in unknown && unknown.reason === 'unknown-ordering');
    const badInstalled = evaluateRange(range('ECOSYSTEM', ['introduced', '0']), 'PyPI', 'not a version!', new Orderings());
    assert.ok('unevaluable' in badInstalled && badInstalled.reason === 'unparsable-version');
    const badEvent = evaluateRange(range('ECOSYSTEM', ['introduced', '0'], ['fixed', 'nope nope']), 'PyPI', '1.0', new Orderings());
    assert.ok('unevaluable' in badEvent && badEvent.reason === 'unparsable-version');
  });
});
