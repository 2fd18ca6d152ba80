// The compiler and evaluator of the Kubernetes CEL environment: compile errors with positions,
// declarations, the limits, the cost and time bounds, and fuzzing of untrusted expression text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { Budget, CelCompileError, CelEvalError, compileExpression, evaluate, toJs } from './index.ts';

function compileError(source: string, declarations: Parameters<typeof compileExpression>[1] = ['object']): CelCompileError {
  try {
    compileExpression(source, declarations);
  } catch (error) {
    assert.ok(error instanceof CelCompileError, `expected a CelCompileError, got ${String(error)}`);
    return error;
  }
  return assert.fail(`${source} compiled`);
}

describe('compileExpression', () => {
  it('reports syntax errors with their line and column', () => {
    const e = compileError('object.spec.replicas +');
    assert.equal(e.reason, 'syntax');
    assert.equal(e.code, 'E_PARSE');
    assert.ok(e instanceof BulwarkError);
    assert.deepEqual([e.position?.line, e.position?.column], [1, 22]);
    const multi = compileError("object.metadata.name == 'a' &&\n  object.spec.(");
    assert.equal(multi.position?.line, 2);
  });

  it('refuses undeclared identifiers, functions and variables', () => {
    const ident = compileError('objec.spec.replicas > 1');
    assert.equal(ident.reason, 'undeclared');
    assert.equal(ident.detail, "undeclared reference to 'objec' (in container '')");
    assert.deepEqual([ident.position?.line, ident.position?.column], [1, 1]);
    assert.equal(compileError('nope(object)').reason, 'undeclared');
    assert.equal(compileError('object.nope()').reason, 'undeclared');
    const variable = compileError('variables.later', { object: 'dyn', variables: { fields: ['earlier'] } });
    assert.equal(variable.detail, "undefined field 'later'");
    assert.deepEqual([variable.position?.line, variable.position?.column], [1, 10]);
    compileExpression('variables.earlier == 1', { variables: { fields: ['earlier'] } });
  });

  it('refuses known functions called with the wrong arity or receiver style', () => {
    assert.equal(compileError("object.startsWith('a', 'b')").reason, 'overload');
    assert.equal(compileError('isSorted([1])').reason, 'overload', 'isSorted is a member function');
    assert.equal(compileError("[1].quantity('1')").reason, 'overload', 'quantity is a global function');
    assert.equal(compileError('optional.none(1)').reason, 'overload');
  });

  it('validates literals the API server validates at compile time', () => {
    assert.equal(compileError("object.name.matches('(')").reason, 'literal');
    assert.equal(compileError("duration('5 minutes')").reason, 'literal');
    assert.equal(compileError("timestamp('yesterday')").reason, 'literal');
    assert.equal(compileError("['a', 1]").reason, 'literal');
    assert.equal(compileError("{'a': 1, 'b': 'x'}").reason, 'literal');
    compileExpression("duration('5m') > duration('1m') && [dyn('a'), 1].size() == 2", []);
  });

  it('resolves comprehension variables in their scope only', () => {
    compileExpression('object.items.all(i, i.ready)', ['object']);
    assert.equal(compileError('object.items.all(i, i.ready) && i.ready').reason, 'undeclared');
    assert.equal(compileError('object.items.all(object, object.ready)').reason, 'unsupported', 'shadowing a declared variable');
  });

  it('bounds length and nesting', () => {
    assert.equal(compileError(`object.a == '${'x'.repeat(30_000)}'`).reason, 'limit');
    assert.equal(compileError(`${'('.repeat(400)}1${')'.repeat(400)}`).reason, 'limit');
    assert.equal(compileError(`${'['.repeat(300)}${']'.repeat(300)}`).reason, 'limit');
    assert.equal(compileError('   ').reason, 'syntax');
  });

  it('reports positions of errors inside rewritten optional syntax in the user text', () => {
    const e = compileError("object.?metadata.?labels[?'a'].orValue(nope)");
    assert.equal(e.detail, "undeclared reference to 'nope' (in container '')");
    assert.deepEqual([e.position?.line, e.position?.column], [1, 40]);
  });
});

describe('evaluate', () => {
  it('converts integral JSON numbers to int and others to double', () => {
    const program = compileExpression('[object.a + 1, object.b * 2.0, type(object.a) == int]', ['object']);
    const result = evaluate(program, { object: { a: 3, b: 1.5 } });
    assert.ok(result.ok);
    assert.deepEqual(toJs(result.value), [4n, 3, true]);
  });

  it('treats null fields as absent, as the API server decodes built-in objects', () => {
    const program = compileExpression('has(object.spec.x) || has(object.spec.y)', ['object']);
    const result = evaluate(program, { object: { spec: { x: null } } });
    assert.ok(result.ok);
    assert.equal(result.value, false);
  });

  it('returns runtime errors as typed values with the position of the failing node', () => {
    const result = evaluate(compileExpression('object.spec.replicas > 1', ['object']), { object: { spec: {} } });
    assert.equal(result.ok, false);
    const error = (result as { error: CelEvalError }).error;
    assert.ok(error instanceof CelEvalError);
    assert.equal(error.reason, 'runtime');
    assert.match(error.message, /replicas/);
    assert.ok(error.position !== undefined);
  });

  it('bounds the cost of nested comprehensions over large inputs', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => i);
    const program = compileExpression('big.map(x, big.map(y, x + y)).size() > 0', ['big']);
    const started = performance.now();
    const result = evaluate(program, { big }, { costLimit: 200_000, timeLimitMs: 60_000 });
    const elapsed = performance.now() - started;
    assert.equal(result.ok, false);
    assert.equal((result as { error: CelEvalError }).error.reason, 'cost');
    assert.equal((result as { error: CelEvalError }).error.code, 'E_TOO_LARGE');
    assert.ok(elapsed < 20_000, `stopped after ${elapsed} ms`);
  });

  it('bounds the wall-clock time even when the cost limit is high', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => i);
    const program = compileExpression('big.all(x, big.all(y, y >= 0))', ['big']);
    const started = performance.now();
    const result = evaluate(program, { big }, { costLimit: Number.MAX_SAFE_INTEGER, timeLimitMs: 50 });
    assert.equal(result.ok, false);
    assert.equal((result as { error: CelEvalError }).error.reason, 'time');
    assert.ok(performance.now() - started < 20_000);
  });

  it('bounds the time of each expression inside a shared budget whose own bound is far off', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => i);
    const slow = compileExpression('big.all(x, big.all(y, y >= 0))', ['big']);
    const budget = new Budget(Number.MAX_SAFE_INTEGER, 600_000);
    const started = performance.now();
    const result = evaluate(slow, { big }, { budget, costLimit: Number.MAX_SAFE_INTEGER, timeLimitMs: 50 });
    assert.equal(result.ok, false);
    assert.equal((result as { error: CelEvalError }).error.reason, 'time');
    assert.ok(performance.now() - started < 20_000);
  });

  it('keeps an exhausted budget sticky: || cannot hide it', () => {
    const big = Array.from({ length: 50_000 }, (_, i) => i);
    const program = compileExpression('big.exists(x, x < 0) || true', ['big']);
    const result = evaluate(program, { big }, { costLimit: 1000 });
    assert.equal(result.ok, false);
    assert.equal((result as { error: CelEvalError }).error.reason, 'cost');
  });

  it('charges a comprehension by the size of its body', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ name: `n${i}`, image: 'registry.example.com/a:1' }));
    const small = evaluate(compileExpression('items.all(c, true)', ['items']), { items });
    const large = evaluate(compileExpression("items.all(c, c.image.startsWith('registry.example.com/') && c.name.size() > 0 && c.name != 'x')", ['items']), { items });
    assert.ok(small.ok && large.ok);
    assert.ok(large.cost > small.cost * 3, `${large.cost} vs ${small.cost}`);
  });
});

describe('fuzzing', () => {
  const declarations = ['object', 'params'];
  const object = { metadata: { name: 'a', labels: { x: 'y' } }, spec: { replicas: 2, list: [1, 'two', { three: 3 }], n: null } };

  /** Compiling and evaluating never throw anything but a CelCompileError, and never hang. */
  function survives(source: string): void {
    let program;
    try {
      program = compileExpression(source, declarations);
    } catch (error) {
      if (!(error instanceof CelCompileError)) throw error;
      assert.equal(error.code, 'E_PARSE');
      return;
    }
    const result = evaluate(program, { object, params: null }, { costLimit: 100_000, timeLimitMs: 200 });
    if (!result.ok) assert.ok(result.error instanceof CelEvalError);
  }

  it('arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), survives), { numRuns: 400 });
  });

  it('token soup of CEL syntax', () => {
    const token = fc.constantFrom(
      'object', 'params', 'variables', '.', '?', '.?', '[?', '[', ']', '(', ')', '{', '}', ',', ':', '+', '-', '*', '/', '%', '==', '!=',
      '<', '>', '&&', '||', '!', ' in ', 'all', 'exists', 'exists_one', 'map', 'filter', 'has', 'size', 'x', 'y', 'spec', 'metadata',
      'list', 'replicas', '1', '0', '-1', '2.5', '3u', "'s'", '"t"', "r'\\d'", 'b"b"', 'true', 'false', 'null', 'quantity', 'url',
      'ip', 'cidr', 'matches', 'find', 'findAll', 'split', 'join', 'format', 'optional', 'of', 'none', 'orValue', 'transformList',
      'int', 'string', 'dyn', 'type', 'duration', 'timestamp', 'sets', 'contains', 'semver', '@result', '`x`', '#', '//c\n',
    );
    fc.assert(fc.property(fc.array(token, { maxLength: 40 }), (tokens) => survives(tokens.join(''))), { numRuns: 1500 });
  });

  it('well-formed expressions with random structure', () => {
    const { expr } = fc.letrec<{ expr: string }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('object', 'object.spec', 'object.spec.list', 'object.metadata.labels', 'params', '1', "'a'", 'true', 'null', '[1, 2]', "{'k': 1}"),
        tie('expr').map((e) => `(${e})`),
        fc.tuple(tie('expr'), fc.constantFrom('+', '-', '==', '<', '&&', '||', ' in '), tie('expr')).map(([a, op, b]) => `${a} ${op} ${b}`),
        fc.tuple(tie('expr'), fc.constantFrom('all', 'exists', 'map', 'filter'), tie('expr')).map(([a, m, b]) => `${a}.${m}(x, ${b})`),
        fc.tuple(tie('expr'), fc.constantFrom('size()', 'isSorted()', 'sum()', 'min()', "split(',')", 'lowerAscii()', "matches('a')", '?spec', 'spec')).map(([a, m]) => `${a}.${m}`),
        fc.tuple(fc.constantFrom('size', 'string', 'int', 'has', 'quantity', 'isURL', 'ip', 'dyn', 'type'), tie('expr')).map(([f, a]) => `${f}(${a})`),
        fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([a, b, c]) => `${a} ? ${b} : ${c}`),
      ),
    }));
    fc.assert(fc.property(expr, survives), { numRuns: 800 });
  });
});
