// Every ecosystem ordering is a total preorder on what its parser accepts (reflexive, antisymmetric
// in sign, transitive, equality consistent), and its parser never fails with anything but a typed
// error. Generators mix realistic version alphabets with arbitrary strings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { apkScheme } from './apk.ts';
import { dpkgScheme } from './dpkg.ts';
import { mavenScheme } from './maven.ts';
import { npmScheme } from './npm-semver.ts';
import { parseNpmRange, satisfies } from './npm-range.ts';
import { pep440Scheme } from './pep440.ts';
import { rpmScheme } from './rpm.ts';
import { sign, type VersionScheme } from './scheme.ts';
import { goScheme, semverScheme } from './semver2.ts';

const RUNS = Number(process.env.BULWARK_FUZZ_RUNS ?? 1500);

function versionString(alphabet: string, maxLength = 14): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength: 1, maxLength }) },
    { weight: 1, arbitrary: fc.string({ maxLength }) },
  );
}

const ALPHABETS: Record<string, fc.Arbitrary<string>> = {
  dpkg: versionString('0123456789.:-+~ab'),
  rpm: versionString('0123456789.-~^_+ab'),
  apk: fc.oneof(
    versionString('0123456789._-rabp~'),
    fc.tuple(fc.nat(20), fc.nat(20), fc.constantFrom('', 'a', 'b'), fc.constantFrom('', '_alpha', '_beta1', '_rc2', '_p3', '_git'), fc.constantFrom('', '~abc', '-r0', '-r12')).map(
      ([a, b, l, s, r]) => `${a}.${b}${l}${s}${r}`,
    ),
  ),
  npm: versionString('0123456789.-+vxa'),
  pep440: fc.oneof(
    versionString('0123456789.!+abrcdevpost-_', 16),
    fc.tuple(fc.nat(3), fc.nat(12), fc.constantFrom('', 'a1', 'b2', 'rc0', '.post1', '.dev3', 'a1.dev0', '.post2.dev1', '+local.7', '+abc')).map(
      ([a, b, tail]) => `${a}.${b}${tail}`,
    ),
  ),
  go: fc.oneof(
    versionString('v0123456789.-+abc', 16),
    fc.tuple(fc.nat(3), fc.nat(5), fc.nat(5), fc.constantFrom('', '-pre', '-0.20230101120000-abcdef012345', '-20220101000000-0123456789ab', '+incompatible', '-rc.1')).map(
      ([a, b, c, tail]) => `v${a}.${b}.${c}${tail}`,
    ),
  ),
  semver: versionString('v0123456789.-+ab'),
  // ComparableVersion itself is not transitive for versions that do not start with a number
  // (see the test below), so the properties are asserted on versions that do, as published ones do.
  maven: fc.tuple(fc.integer({ min: 0, max: 30 }), fc.string({ unit: fc.constantFrom(...'0123456789.-abcdefgilmnoprst'.split('')), maxLength: 14 })).map(
    ([n, rest]) => `${n}${rest}`,
  ),
};

const SCHEMES: VersionScheme<any>[] = [dpkgScheme, rpmScheme, apkScheme, npmScheme, pep440Scheme, goScheme, semverScheme, mavenScheme];

function parseOrUndefined(scheme: VersionScheme<unknown>, text: string): unknown {
  try {
    return scheme.parse(text);
  } catch (error) {
    assert.ok(error instanceof BulwarkError && error.code === 'E_PARSE', `${scheme.name}: untyped error for ${JSON.stringify(text)}: ${String(error)}`);
    return undefined;
  }
}

for (const scheme of SCHEMES) {
  describe(`${scheme.name} ordering`, () => {
    const gen = ALPHABETS[scheme.name]!;
    const parsed = gen.map((text) => ({ text, value: parseOrUndefined(scheme, text) })).filter((v) => v.value !== undefined);

    it('parses or fails with a typed error, never crashes', () => {
      fc.assert(fc.property(fc.oneof(gen, fc.string({ maxLength: 40 }), fc.string({ maxLength: 2000 })), (text) => void parseOrUndefined(scheme, text)), { numRuns: RUNS });
    });

    it('is reflexive and antisymmetric in sign', () => {
      fc.assert(
        fc.property(parsed, parsed, (a, b) => {
          assert.equal(scheme.compare(a.value, a.value), 0, a.text);
          assert.equal(sign(scheme.compare(a.value, b.value)), sign(-scheme.compare(b.value, a.value)), `${a.text} / ${b.text}`);
        }),
        { numRuns: RUNS },
      );
    });

    it('is transitive, and equal versions compare alike with every third', () => {
      fc.assert(
        fc.property(parsed, parsed, parsed, (a, b, c) => {
          const ab = scheme.compare(a.value, b.value);
          const bc = scheme.compare(b.value, c.value);
          const ac = scheme.compare(a.value, c.value);
          if (ab <= 0 && bc <= 0) assert.ok(ac <= 0, `${a.text} <= ${b.text} <= ${c.text} but not ${a.text} <= ${c.text}`);
          if (ab === 0) assert.equal(sign(ac), sign(bc), `${a.text} == ${b.text} but they compare differently with ${c.text}`);
        }),
        { numRuns: RUNS },
      );
    });

    it('sorts consistently (sorting twice, from different orders, agrees)', () => {
      fc.assert(
        fc.property(fc.array(parsed, { maxLength: 25 }), (list) => {
          const sorted = [...list].sort((x, y) => scheme.compare(x.value, y.value));
          const again = [...list].reverse().sort((x, y) => scheme.compare(x.value, y.value));
          for (let i = 0; i < sorted.length; i++) assert.equal(scheme.compare(sorted[i]!.value, again[i]!.value), 0);
          for (let i = 1; i < sorted.length; i++) assert.ok(scheme.compare(sorted[i - 1]!.value, sorted[i]!.value) <= 0);
        }),
        { numRuns: 300 },
      );
    });
  });
}

describe('npm ranges under fuzzing', () => {
  it('never throw an untyped error and satisfies() never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789.xX*^~<>=-| vab'.split('')), maxLength: 30 }), fc.string({ maxLength: 12 }), (range, version) => {
        try {
          parseNpmRange(range);
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
        }
        satisfies(version, range);
        satisfies(version, range, { loose: true, includePrerelease: true });
      }),
      { numRuns: RUNS },
    );
  });

  it('stays linear on hostile input (no catastrophic backtracking)', () => {
    const started = performance.now();
    satisfies('1.2.3', `${'1'.repeat(5000)}.${'1'.repeat(5000)}`);
    satisfies('1.2.3', `${'>=1.2.3 '.repeat(2000)}`);
    satisfies('1.2.3', `${'1.2.3-'}${'a.'.repeat(3000)}`, { loose: true });
    assert.ok(performance.now() - started < 2000);
  });
});

describe('orderings from the specifications', () => {
  const cmp = (scheme: VersionScheme<any>, a: string, b: string): number => sign(scheme.compare(scheme.parse(a), scheme.parse(b)));
  const chain = (scheme: VersionScheme<any>, versions: string[]): void => {
    for (let i = 1; i < versions.length; i++) assert.equal(cmp(scheme, versions[i - 1]!, versions[i]!), -1, `${versions[i - 1]} < ${versions[i]}`);
  };

  it('PEP 440: the summary ordering of the specification', () => {
    chain(pep440Scheme, ['1.dev0', '1.0.dev456', '1.0a1', '1.0a2.dev456', '1.0a12.dev456', '1.0a12', '1.0b1.dev456', '1.0b2', '1.0b2.post345.dev456', '1.0b2.post345', '1.0rc1.dev456', '1.0rc1', '1.0', '1.0+abc.5', '1.0+abc.7', '1.0+5', '1.0.post456.dev34', '1.0.post456', '1.0.15', '1.1.dev1', '1!0.1']);
    assert.equal(cmp(pep440Scheme, '1.0', '1.0.0'), 0);
    assert.equal(cmp(pep440Scheme, '1.0-1', '1.0.post1'), 0);
    assert.equal(cmp(pep440Scheme, '1.0alpha1', '1.0a1'), 0);
    assert.equal(cmp(pep440Scheme, 'v1.0c1', '1.0rc1'), 0);
    assert.equal(cmp(pep440Scheme, '5.2b1', '5.1.2'), 1);
    assert.throws(() => pep440Scheme.parse('1.0-beta-x'), BulwarkError);
  });

  it('Go: pseudo-versions sort between releases, by time', () => {
    chain(goScheme, ['v0.0.0-20190101000000-aaaaaaaaaaaa', 'v0.0.0-20200101000000-bbbbbbbbbbbb', 'v0.1.0', 'v0.1.1-0.20200601000000-cccccccccccc', 'v0.1.1', 'v1.2.0-pre', 'v1.2.0-pre.0.20210101000000-dddddddddddd', 'v1.2.0']);
    assert.equal(cmp(goScheme, 'v2.0.0+incompatible', '2.0.0'), 0);
    assert.equal(cmp(goScheme, 'go1.21.0', '1.21.0'), 0);
    assert.equal(cmp(goScheme, 'go1.21rc2', '1.21.0'), -1);
    assert.equal(cmp(goScheme, 'v1', 'v1.0.0'), 0);
    assert.throws(() => goScheme.parse('v01.2.3'), BulwarkError);
    assert.throws(() => goScheme.parse('(devel)'), BulwarkError);
  });

  it('Maven: qualifiers, separators and padding as ComparableVersion', () => {
    chain(mavenScheme, ['1-alpha-1', '1-alpha-2', '1-beta-1', '1-milestone-1', '1-rc-1', '1-SNAPSHOT', '1', '1-sp-1', '1-abc', '1-1', '1.1']);
    chain(mavenScheme, ['1.0-alpha1', '1.0-beta1', '1.0-rc1', '1.0', '1.0.1', '1.1']);
    for (const [a, b] of [['1', '1.0'], ['1', '1.0.0'], ['1.0', '1-0'], ['1-ga', '1'], ['1-final', '1'], ['1-cr1', '1-rc1'], ['1a1', '1-alpha-1'], ['1.0.0.RC1', '1.0.0.rc1']]) {
      assert.equal(cmp(mavenScheme, a!, b!), 0, `${a} == ${b}`);
    }
    assert.equal(cmp(mavenScheme, '2.13.4.1', '2.13.4'), 1);
    assert.equal(cmp(mavenScheme, '1.0.RC2', '1.0-RC3'), -1);
    assert.equal(cmp(mavenScheme, '1.0-RC3', '1.0.1'), -1);
  });

  it('Maven: reproduces ComparableVersion on versions starting with a qualifier, where it is not transitive', () => {
    // " " (a qualifier) < "0m0" (a sub-list) < "" (nothing) < " ": Maven orders them in a cycle too.
    assert.equal(cmp(mavenScheme, ' ', '0m0'), -1);
    assert.equal(cmp(mavenScheme, '0m0', ''), -1);
    assert.equal(cmp(mavenScheme, '', ' '), -1);
  });

  it('rpm: tilde and caret', () => {
    chain(rpmScheme, ['1.0~rc1', '1.0~rc2', '1.0', '1.0^git1', '1.0^git2', '1.0.1']);
    assert.equal(cmp(rpmScheme, '1:1.0-1', '2.0-1'), 1);
    assert.equal(cmp(rpmScheme, '0:2.28-225.el8', '2.28-225.el8'), 0);
    assert.equal(cmp(rpmScheme, '2.28-225.el8', '2.28-225.el8_9.1'), -1);
  });

  it('SemVer 2.0.0 §11 precedence', () => {
    chain(semverScheme, ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '2.0.0', '2.1.0', '2.1.1']);
    assert.equal(cmp(semverScheme, '1.0.0+build.1', '1.0.0+build.2'), 0);
  });

  it('npm: versions beyond MAX_SAFE_INTEGER are refused', () => {
    assert.throws(() => npmScheme.parse('99999999999999999999.0.0'), BulwarkError);
  });
});
