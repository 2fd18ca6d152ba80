// Conformance of the Kubernetes quantity library, with the cases of its documentation and tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allTrue, evalError, value } from '../testing/run.ts';

describe('kubernetes quantity library', () => {
  it('parses what resource.ParseQuantity parses', () => {
    allTrue([
      "isQuantity('1.3G')",
      "isQuantity('1.3Gi')",
      "isQuantity('10000k')",
      "isQuantity('20')",
      "isQuantity('20M')",
      "isQuantity('20Mi')",
      "isQuantity('1e3')",
      "isQuantity('-5m')",
      "!isQuantity('1,3G')",
      "!isQuantity('200K')",
      "!isQuantity('Three')",
      "!isQuantity('20Mo')",
      "!isQuantity('10Mm')",
      "!isQuantity('')",
    ]);
    assert.match(evalError("quantity('10Mo')").message, /quantities must match the regular expression/);
    assert.match(evalError("quantity('10Mm')").message, /unable to parse quantity's suffix/);
  });

  it('equality, comparison and compareTo', () => {
    allTrue([
      "quantity('200M') == quantity('200M')",
      "quantity('200M') == quantity('0.2G') && quantity('0.2G') == quantity('200M')",
      "quantity('2M') == quantity('0.002G') && quantity('2000k') == quantity('2M') && quantity('0.002G') == quantity('2000k')",
      "quantity('200M') != quantity('0.3G')",
      "quantity('50M').isLessThan(quantity('50Mi'))",
      "quantity('50M').isLessThan(quantity('100M'))",
      "!quantity('100M').isLessThan(quantity('50M'))",
      "quantity('50Mi').isGreaterThan(quantity('50M'))",
      "quantity('150Mi').isGreaterThan(quantity('100Mi'))",
      "!quantity('50M').isGreaterThan(quantity('100M'))",
      "quantity('4Gi') == quantity('4096Mi') && quantity('4Gi') == quantity('4294967296')",
    ]);
    assert.equal(value("quantity('200M').compareTo(quantity('0.2G'))"), 0n);
    assert.equal(value("quantity('50M').compareTo(quantity('50Mi'))"), -1n);
    assert.equal(value("quantity('50Mi').compareTo(quantity('50M'))"), 1n);
  });

  it('arithmetic', () => {
    allTrue([
      "quantity('50k').add(quantity('20')) == quantity('50.02k')",
      "!quantity('50k').add(20).isLessThan(quantity('50020'))",
      "quantity('50k').sub(quantity('20')) == quantity('49.98k')",
      "quantity('50k').sub(20) == quantity('49980')",
      "quantity('50k').mul(2) == quantity('100000')",
      "quantity('10k').div(2) == quantity('5000')",
      "quantity('10000').divInt(3) == quantity('3333')",
    ]);
    assert.equal(value("quantity('50k').add(20).sub(quantity('100k')).asInteger()"), -49980n);
    assert.equal(value("quantity('50k').add(20).sub(quantity('100k')).sub(-50000).asInteger()"), 20n);
    const third = value("quantity('10000').div(3).asApproximateFloat()") as number;
    assert.ok(Math.abs(third - 3333.3333) < 0.0001);
    assert.match(evalError("quantity('1').div(0)").message, /division by zero/);
  });

  it('conversions to scalars, including which values keep the int64 form', () => {
    assert.equal(value("quantity('50k').asInteger()"), 50000n);
    assert.match(evalError("quantity('9999999999999999999999999999999999999G').asInteger()").message, /cannot convert value to integer/);
    assert.equal(value("quantity('9999999999999999999999999999999999999G').isInteger()"), false);
    assert.equal(value("quantity('50').isInteger()"), true);
    assert.equal(value("quantity('50000000G').isInteger()"), true);
    assert.equal(value("quantity('1.0').isInteger()"), false, 'a fraction is never in the int64 form');
    assert.equal(value("quantity('50.703k').asApproximateFloat()"), 50703);
    assert.equal(value("quantity('50k').sub(20000).asApproximateFloat()"), 30000);
    assert.equal(value("quantity('-3').sign()"), -1n);
    assert.equal(value("sign(quantity('0'))"), 0n);
  });

  it('rounds tiny fractions up to the nano, as the API server stores them', () => {
    allTrue(["quantity('0.0000000001') == quantity('1n')", "quantity('1.5n') == quantity('2n')"]);
  });
});
