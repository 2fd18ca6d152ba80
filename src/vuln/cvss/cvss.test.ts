import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { parseCvss3, parseCvss4, ratingOf, scoreVector } from './index.ts';
import { parseCvss2 } from './cvss2.ts';

describe('CVSS v3.x base score', () => {
  // Scores published with these vectors (NVD / the FIRST calculator).
  const cases: [string, number][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10.0],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', 5.3],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5],
    ['CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 6.2],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N', 6.8],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
    ['CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 1.6],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', 5.5],
  ];
  for (const [vector, expected] of cases) {
    it(`${vector} scores ${expected}`, () => assert.equal(parseCvss3(vector).baseScore, expected));
  }

  it('accepts temporal and environmental metrics without changing the base score', () => {
    assert.equal(parseCvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:H/MAV:L').baseScore, 9.8);
  });

  it('refuses malformed vectors with a typed error naming the problem', () => {
    for (const [vector, reason] of [
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', /A missing/],
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L', /twice/],
      ['CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /AV cannot be Q/],
      ['CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /prefix/],
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1', /unknown metric ZZ/],
      ['CVSS:3.1/AVN', /METRIC:VALUE/],
    ] as const) {
      assert.throws(() => parseCvss3(vector), (e: unknown) => e instanceof BulwarkError && e.code === 'E_PARSE' && reason.test(e.message));
    }
  });
});

describe('CVSS v4.0 score', () => {
  // Scores from the FIRST CVSS v4.0 calculator and published advisories.
  const cases: [string, number][] = [
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N', 5.1],
    ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N', 8.7],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', 5.3],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A', 8.7],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', 8.1],
    ['CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N', 1],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:H', 9.9],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:L/VA:L/SC:H/SI:L/SA:L', 8.5],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:L/VI:L/VA:L/SC:H/SI:L/SA:L', 6.4],
    ['CVSS:4.0/AV:A/AC:H/AT:N/PR:L/UI:P/VC:L/VI:H/VA:L/SC:N/SI:N/SA:N', 4.4],
    ['CVSS:4.0/AV:A/AC:H/AT:N/PR:L/UI:P/VC:L/VI:H/VA:L/SC:N/SI:N/SA:N/E:P', 1.6],
    ['CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:P', 0.3],
    ['CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:U', 0.1],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:M/IR:H/AR:M', 9.3],
  ];
  for (const [vector, expected] of cases) {
    it(`${vector} scores ${expected}`, () => assert.equal(parseCvss4(vector).score, expected));
  }

  it('refuses vectors without every base metric', () => {
    assert.throws(() => parseCvss4('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N'), /SA missing/);
  });
});

describe('CVSS v2 base score', () => {
  it('scores the classic vectors', () => {
    assert.equal(parseCvss2('AV:N/AC:L/Au:N/C:P/I:P/A:P').baseScore, 7.5);
    assert.equal(parseCvss2('AV:N/AC:M/Au:N/C:N/I:P/A:N').baseScore, 4.3);
    assert.equal(parseCvss2('AV:L/AC:M/Au:N/C:N/I:P/A:C').baseScore, 5.4);
    assert.equal(parseCvss2('AV:N/AC:L/Au:N/C:C/I:C/A:C').baseScore, 10);
  });
});

describe('ratings and dispatch', () => {
  it('maps scores to the qualitative scale', () => {
    assert.equal(ratingOf(0, '3.1'), 'info');
    assert.equal(ratingOf(3.9, '3.1'), 'low');
    assert.equal(ratingOf(4, '3.1'), 'medium');
    assert.equal(ratingOf(7, '3.1'), 'high');
    assert.equal(ratingOf(9, '3.1'), 'critical');
    assert.equal(ratingOf(10, '2.0'), 'high');
  });

  it('dispatches on the prefix', () => {
    assert.equal(scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L').severity, 'medium');
    assert.equal(scoreVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N').severity, 'critical');
    assert.equal(scoreVector('AV:N/AC:L/Au:N/C:P/I:P/A:P').version, '2.0');
    assert.throws(() => scoreVector('CVSS:5.0/AV:N'), BulwarkError);
  });
});

describe('fuzzing the vector parsers', () => {
  const v3Metric = fc.constantFrom('AV:N', 'AV:A', 'AV:L', 'AV:P', 'AC:L', 'AC:H', 'PR:N', 'PR:L', 'PR:H', 'UI:N', 'UI:R', 'S:U', 'S:C', 'C:H', 'C:L', 'C:N', 'I:H', 'I:N', 'A:H', 'A:L', 'E:P', 'XX:Y', 'AV', '');
  const v4Metric = fc.constantFrom('AV:N', 'AV:P', 'AC:L', 'AC:H', 'AT:N', 'AT:P', 'PR:N', 'PR:H', 'UI:N', 'UI:A', 'VC:H', 'VC:N', 'VI:L', 'VA:H', 'SC:N', 'SI:H', 'SA:L', 'E:U', 'MSI:S', 'CR:L', 'U:Red', 'Q:Q');

  it('either scores in [0, 10] or throws a typed error, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(v3Metric, { maxLength: 14 }).map((m) => ['CVSS:3.1', ...m].join('/')),
          fc.array(v4Metric, { maxLength: 16 }).map((m) => ['CVSS:4.0', ...m].join('/')),
        ),
        (vector) => {
          try {
            const { score } = scoreVector(vector);
            assert.ok(score >= 0 && score <= 10 && Number.isFinite(score), `${vector} → ${score}`);
          } catch (error) {
            assert.ok(error instanceof BulwarkError && error.code === 'E_PARSE', String(error));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('every complete v4.0 base vector scores, and more impact never scores lower', () => {
    const pick = (values: string[]) => fc.constantFrom(...values);
    const base = fc.record({
      AV: pick(['N', 'A', 'L', 'P']),
      AC: pick(['L', 'H']),
      AT: pick(['N', 'P']),
      PR: pick(['N', 'L', 'H']),
      UI: pick(['N', 'P', 'A']),
      VC: pick(['H', 'L', 'N']),
      VI: pick(['H', 'L', 'N']),
      VA: pick(['H', 'L', 'N']),
      SC: pick(['H', 'L', 'N']),
      SI: pick(['H', 'L', 'N']),
      SA: pick(['H', 'L', 'N']),
    });
    fc.assert(
      fc.property(base, (metrics) => {
        const text = (m: Record<string, string>) => `CVSS:4.0/${Object.entries(m).map(([k, v]) => `${k}:${v}`).join('/')}`;
        const score = parseCvss4(text(metrics)).score;
        assert.ok(score >= 0 && score <= 10);
        if (metrics.VC !== 'H') assert.ok(parseCvss4(text({ ...metrics, VC: 'H' })).score >= score - 1e-9);
      }),
      { numRuns: 2000 },
    );
  });
});
