// Conformance of the smaller libraries of the API server's environment: sets, semver, optional
// types and two-variable comprehensions; and the authorizer, which offline evaluation cannot call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTHORIZER, compileExpression, evaluate } from '../index.ts';
import { allTrue, evalError, value } from '../testing/run.ts';

describe('sets extension', () => {
  it('contains, equivalent, intersects', () => {
    // Mixed-type list literals are compile errors in the API server's environment, hence dyn().
    assert.throws(() => value('sets.contains([1, 2.0], [1])'), /expected type 'int' but found 'double'/);
    allTrue([
      'sets.contains([], [])',
      'sets.contains([1, 2, 3, 4], [2, 3])',
      '!sets.contains([1, 2, 3], [4])',
      'sets.contains([1, dyn(2.0), dyn(3u)], [1.0, dyn(2u), dyn(3)])',
      'sets.equivalent([], [])',
      'sets.equivalent([1], [1, 1])',
      'sets.equivalent([1], [1u, dyn(1.0)])',
      '!sets.equivalent([2, 1], [1])',
      'sets.intersects([1], [1])',
      'sets.intersects([1], [1, 1])',
      '!sets.intersects([1], [])',
      '!sets.intersects([1, 2], [3])',
    ]);
  });
});

describe('kubernetes semver library', () => {
  it('parses strictly, or with normalisation', () => {
    allTrue([
      "isSemver('1.0.0')",
      "isSemver('0.1.0-alpha.1')",
      "!isSemver('200K')",
      "!isSemver('Three')",
      "!isSemver('v1.0')",
      "isSemver('v1.0', true)",
      "semver('v1.0.0', true) == semver('1.0.0')",
      "semver('1.0', true) == semver('1.0.0')",
      "semver('01.01.01', true) == semver('1.1.1')",
      "!isSemver('01.1.1')",
      "!isSemver('1.0.0-01')",
    ]);
  });

  it('major, minor, patch and comparisons', () => {
    assert.equal(value("semver('1.2.3').major()"), 1n);
    assert.equal(value("semver('1.2.3').minor()"), 2n);
    assert.equal(value("semver('1.2.3').patch()"), 3n);
    assert.equal(value("semver('1.2.3').compareTo(semver('1.2.3'))"), 0n);
    assert.equal(value("semver('1.2.3').compareTo(semver('2.0.0'))"), -1n);
    assert.equal(value("semver('1.2.3').compareTo(semver('0.1.2'))"), 1n);
    allTrue([
      "semver('2.0.0').isGreaterThan(semver('1.9.9'))",
      "semver('1.0.0-alpha').isLessThan(semver('1.0.0'))",
      "semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))",
      "semver('1.0.0-2').isLessThan(semver('1.0.0-11'))",
      "semver('1.0.0+a') == semver('1.0.0+b')",
    ]);
  });
});

describe('optional types', () => {
  const object = { metadata: { name: 'web', annotations: { team: 'shop' } }, spec: { ports: [{ port: 80 }] } };

  it('optional.of, none, ofNonZeroValue and their methods', () => {
    allTrue([
      'optional.of(1).hasValue()',
      '!optional.none().hasValue()',
      'optional.of(1).value() == 1',
      'optional.none().orValue(2) == 2',
      'optional.none().or(optional.of(3)).value() == 3',
      "!optional.ofNonZeroValue('').hasValue()",
      'optional.ofNonZeroValue(1).hasValue()',
      'optional.of(1) == optional.of(1)',
      'optional.none() == optional.none()',
      'optional.of(1) != optional.none()',
    ]);
    assert.match(evalError('optional.none().value()').message, /optional.none\(\) dereference/);
  });

  it('.? and [?] select into maps, lists and optionals', () => {
    assert.equal(value("object.?metadata.?annotations[?'team'].orValue('none')", { object }), 'shop');
    assert.equal(value("object.?metadata.?labels[?'team'].orValue('none')", { object }), 'none');
    assert.equal(value('object.spec.ports[?0].hasValue()', { object }), true);
    assert.equal(value('object.spec.ports[?3].hasValue()', { object }), false);
    assert.equal(value("object.metadata.?annotations.team.orValue('x')", { object }), 'shop', 'selection on an optional stays optional');
    assert.equal(value("'a.?b' + \"[?x]\"", {}), 'a.?b[?x]', 'inside strings nothing is rewritten');
  });

  it('optional list elements [?x] and map entries {?k: v} keep present values and drop none', () => {
    assert.deepEqual(value('[?optional.of(1), 2, ?optional.none()]'), [1n, 2n]);
    assert.deepEqual(value('[?object.?spec.?ports[?0].?port, ?object.?spec.?nope]', { object }), [80n]);
    assert.deepEqual(value("{?'a': optional.of(1), 'b': 2, ?'c': optional.none()}"), { a: 1n, b: 2n });
    assert.deepEqual(value("{true ? 'k' : 'l': 1, ?'m': optional.of(true ? 2 : 3)}"), { k: 1n, m: 2n }, 'ternaries in keys and values');
    assert.deepEqual(value('[[?optional.of(1)], [?optional.none()]]'), [[1n], []]);
    assert.deepEqual(value("{'k': [?optional.of('v')], ?'n': optional.ofNonZeroValue('')}"), { k: ['v'] });
    // cel-go refuses a non-optional there when type-checking; without field types it is an evaluation error.
    assert.match(evalError('[?1]').message, /must be an optional value, not an int/);
    assert.match(evalError("{?'a': 'x'}").message, /must be an optional value, not a string/);
  });
});

describe('two-variable comprehensions', () => {
  it('all, exists, existsOne over lists (index, value) and maps (key, value)', () => {
    allTrue([
      '[1, 2, 3].all(i, v, i < v)',
      "{'a': 1, 'b': 2}.exists(k, v, k == 'b' && v == 2)",
      "{'a': 1, 'b': 2}.existsOne(k, v, v > 1)",
      "!{'a': 1, 'b': 2}.exists_one(k, v, v > 0)",
    ]);
  });

  it('transformList, transformMap, transformMapEntry', () => {
    assert.deepEqual(value('[1, 2, 3].transformList(i, v, v * 2)'), [2n, 4n, 6n]);
    assert.deepEqual(value('[1, 2, 3].transformList(i, v, i > 0, v * 2)'), [4n, 6n]);
    assert.deepEqual(value("{'a': 1, 'b': 2}.transformMap(k, v, v + 1)"), { a: 2n, b: 3n });
    assert.deepEqual(value("{'a': 1, 'b': 2}.transformMap(k, v, v > 1, v)"), { b: 2n });
    assert.deepEqual(value("{'a': 1}.transformMapEntry(k, v, {k + k: v})"), { aa: 1n });
  });
});

describe('authorizer', () => {
  it('compiles as on the API server and fails evaluation offline', () => {
    const program = compileExpression("authorizer.group('apps').resource('deployments').check('create').allowed()", ['authorizer']);
    const result = evaluate(program, { authorizer: AUTHORIZER });
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error.message, /not available in an offline evaluation/);
  });
});
