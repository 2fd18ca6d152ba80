import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compileLabelSelector,
  compileMapSelector,
  describeSelector,
  labelsOf,
  selects,
  type Selector,
  type SelectorProblem,
} from './selector.ts';

function compile(raw: unknown): Selector {
  const result = compileLabelSelector(raw, ['spec', 'selector']);
  assert.equal(result.kind, 'selector', (result as SelectorProblem).message);
  return result as Selector;
}

describe('compileLabelSelector', () => {
  it('reads an empty selector as everything and an absent one as nothing', () => {
    assert.equal(selects(compile({}), { app: 'x' }), true);
    assert.equal(selects(compile({ matchLabels: {}, matchExpressions: [] }), {}), true);
    assert.equal(selects(compile(undefined), { app: 'x' }), false);
    assert.equal(selects(compile(null), {}), false);
    const absentIsAll = compileLabelSelector(undefined, [], 'everything');
    assert.equal(absentIsAll.kind === 'selector' && selects(absentIsAll, {}), true);
  });

  it('ANDs matchLabels and every expression', () => {
    const selector = compile({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'team', operator: 'Exists' },
      ],
    });
    assert.equal(selects(selector, { app: 'web', tier: 'edge', team: 'a' }), true);
    assert.equal(selects(selector, { app: 'web', tier: 'edge', team: 'a', env: 'prod' }), true);
    assert.equal(selects(selector, { app: 'web', tier: 'edge', team: 'a', env: 'dev' }), false);
    assert.equal(selects(selector, { app: 'web', tier: 'edge', team: 'a', canary: '' }), false);
    assert.equal(selects(selector, { app: 'web', tier: 'back', team: 'a' }), false);
    assert.equal(selects(selector, { app: 'web', tier: 'edge' }), false);
    assert.equal(selects(selector, { tier: 'edge', team: 'a' }), false);
  });

  it('matches NotIn when the label is absent, as upstream does', () => {
    assert.equal(selects(compile({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }), {}), true);
  });

  it('reads unquoted scalars in matchLabels and values as their text', () => {
    const selector = compile({ matchLabels: { tier: 1 }, matchExpressions: [{ key: 'on', operator: 'In', values: [true] }] });
    assert.equal(selects(selector, labelsOf({ tier: 1, on: true })), true);
  });

  it('never reads inherited properties as labels', () => {
    assert.equal(selects(compile({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }), {}), false);
    assert.equal(selects(compile({ matchExpressions: [{ key: 'toString', operator: 'DoesNotExist' }] }), {}), true);
  });

  it('refuses what the API server refuses, naming the field', () => {
    const cases: [unknown, string][] = [
      ['app=web', 'a label selector must be a map'],
      [{ matchLabels: ['a'] }, 'matchLabels must be a map'],
      [{ matchLabels: { a: { b: 1 } } }, 'matchLabels["a"] must be a string'],
      [{ matchExpressions: {} }, 'matchExpressions must be a list'],
      [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, 'operator In needs at least one value'],
      [{ matchExpressions: [{ key: 'a', operator: 'NotIn' }] }, 'operator NotIn needs at least one value'],
      [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'operator Exists takes no values'],
      [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, 'operator "Gt" is not In, NotIn, Exists or DoesNotExist'],
      [{ matchExpressions: [{ operator: 'Exists' }] }, 'a match expression needs a key'],
    ];
    for (const [raw, message] of cases) {
      const result = compileLabelSelector(raw, ['spec', 'podSelector']);
      assert.equal(result.kind, 'problem', JSON.stringify(raw));
      assert.equal((result as SelectorProblem).message, message);
      assert.deepEqual((result as SelectorProblem).path.slice(0, 2), ['spec', 'podSelector']);
    }
  });

  it('describes selectors as kubectl prints them', () => {
    assert.equal(
      describeSelector(
        compile({
          matchLabels: { app: 'web' },
          matchExpressions: [
            { key: 'tier', operator: 'In', values: ['b', 'a'] },
            { key: 'x', operator: 'DoesNotExist' },
            { key: 'y', operator: 'Exists' },
            { key: 'z', operator: 'NotIn', values: ['q'] },
          ],
        }),
      ),
      'app=web,tier in (a,b),!x,y,z notin (q)',
    );
    assert.equal(describeSelector(compile({})), '<everything>');
    assert.equal(describeSelector(compile(undefined)), '<nothing>');
  });
});

describe('compileMapSelector', () => {
  it('selects by equality and reads an empty map as no selector', () => {
    const selector = compileMapSelector({ app: 'web' }, ['spec', 'selector']);
    assert.equal(selector.kind === 'selector' && selects(selector, { app: 'web', x: 'y' }), true);
    const empty = compileMapSelector({}, ['spec', 'selector']);
    assert.equal(empty.kind === 'selector' && selects(empty, { app: 'web' }), false);
    assert.equal(compileMapSelector([], ['spec', 'selector']).kind, 'problem');
  });
});

describe('selector properties', () => {
  const key = fc.constantFrom('app', 'tier', 'env', 'constructor', '__proto__', 'a.b/c');
  const value = fc.constantFrom('web', 'db', '', 'x');
  const labels = fc.dictionary(key, value, { maxKeys: 4 });

  it('never throws on any input, and answers a selector or a problem', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (raw, pod) => {
        const result = compileLabelSelector(raw, ['s']);
        assert.ok(result.kind === 'selector' || result.kind === 'problem');
        if (result.kind === 'selector') selects(result, labelsOf(pod));
        const map = compileMapSelector(raw, ['s']);
        assert.ok(map.kind === 'selector' || map.kind === 'problem');
      }),
    );
  });

  it('a set used as matchLabels selects that set and every superset', () => {
    fc.assert(
      fc.property(labels, labels, (set, extra) => {
        const selector = compile({ matchLabels: set });
        assert.equal(selects(selector, { ...extra, ...set }), true);
      }),
    );
  });

  it('In and NotIn on the same values are complements when the key is present', () => {
    fc.assert(
      fc.property(key, fc.array(value, { minLength: 1, maxLength: 3 }), labels, (k, values, set) => {
        const inSel = compile({ matchExpressions: [{ key: k, operator: 'In', values }] });
        const notIn = compile({ matchExpressions: [{ key: k, operator: 'NotIn', values }] });
        const exists = compile({ matchExpressions: [{ key: k, operator: 'Exists' }] });
        const absent = compile({ matchExpressions: [{ key: k, operator: 'DoesNotExist' }] });
        const l = labelsOf(set);
        assert.notEqual(selects(exists, l), selects(absent, l));
        if (selects(exists, l)) assert.notEqual(selects(inSel, l), selects(notIn, l));
        else assert.equal(selects(notIn, l), true);
      }),
    );
  });
});
