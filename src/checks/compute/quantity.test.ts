import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareQuantities, MAX_QUANTITY_LENGTH, parseQuantity, type Quantity } from './quantity.ts';

function q(value: unknown): Quantity {
  const result = parseQuantity(value);
  assert.ok(result.ok, `${String(value)}: ${result.ok ? '' : result.message}`);
  return result.quantity;
}

const equal = (a: unknown, b: unknown) => compareQuantities(q(a), q(b)) === 0;

describe('parseQuantity', () => {
  it('reads every suffix exactly', () => {
    assert.ok(equal('1Gi', 1073741824));
    assert.ok(equal('1Gi', '1024Mi'));
    assert.ok(equal('500m', '0.5'));
    assert.ok(equal('500m', 0.5));
    assert.ok(equal('1k', '1000'));
    assert.ok(equal('1M', '1e6'));
    assert.ok(equal('1E', '1e18'));
    assert.ok(equal('2e3', '2k'));
    assert.ok(equal('1.5Gi', '1536Mi'));
    assert.ok(equal('.5', '500m'));
    assert.ok(equal('1.', '1'));
    assert.ok(equal('+1', '1'));
    assert.ok(equal('0.1', '100m'));
    assert.ok(equal('1e-3', '1m'));
    assert.equal(compareQuantities(q('1025Mi'), q('1Gi')), 1);
    assert.equal(compareQuantities(q('-1'), q('0')), -1);
    assert.equal(compareQuantities(q('999m'), q(1)), -1);
  });

  it('refuses what is not a quantity, with a typed code', () => {
    const code = (value: unknown) => {
      const result = parseQuantity(value);
      assert.ok(!result.ok, `${String(value)} should be refused`);
      return result.code;
    };
    assert.equal(code(''), 'empty');
    assert.equal(code(null), 'type');
    assert.equal(code([1]), 'type');
    assert.equal(code('1GB'), 'syntax');
    assert.equal(code('1 Gi'), 'syntax');
    assert.equal(code('Gi'), 'syntax');
    assert.equal(code('1e'), 'syntax');
    assert.equal(code('1.2.3'), 'syntax');
    assert.equal(code(Number.NaN), 'range');
    assert.equal(code('1e99'), 'range');
    assert.equal(code('9'.repeat(MAX_QUANTITY_LENGTH + 1)), 'range');
  });

  it('never throws, and bounds its work, on any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[-+]?[0-9.]{0,30}([eE][-+]?[0-9]{0,4}|Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE])?$/), fc.double(), fc.anything()), (value) => {
        const result = parseQuantity(value);
        if (result.ok) assert.ok(result.quantity.denominator > 0n);
        else assert.ok(result.message.length > 0);
      }),
      { numRuns: 3000 },
    );
  });

  it('orders quantities as their decimal values do', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: -1_000_000, max: 1_000_000 }), (a, b) => {
        assert.equal(compareQuantities(q(`${a}m`), q(`${b}m`)), Math.sign(a - b));
        assert.equal(compareQuantities(q(`${a}Ki`), q(a * 1024)), 0);
      }),
    );
  });
});
