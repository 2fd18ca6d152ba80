import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asFields, asList, fieldOf, showValue } from './values.ts';

test('asFields and asList accept only their own shapes', () => {
  assert.deepEqual(asFields({ a: 1 }), { a: 1 });
  for (const value of [null, undefined, 1, 'x', [], true]) assert.equal(asFields(value), undefined);
  assert.deepEqual(asList([1]), [1]);
  for (const value of [null, {}, 'x']) assert.equal(asList(value), undefined);
});

test('fieldOf reads an explicit null as unset', () => {
  assert.equal(fieldOf({ a: null }, 'a'), undefined);
  assert.equal(fieldOf({ a: false }, 'a'), false);
  assert.equal(fieldOf(undefined, 'a'), undefined);
});

test('showValue quotes strings, renders structures and never throws', () => {
  assert.equal(showValue('Unmasked'), '"Unmasked"');
  assert.equal(showValue(0), '0');
  assert.equal(showValue({ a: [1] }), '{"a":[1]}');
  assert.equal(showValue(undefined), 'undefined');
  assert.equal(showValue(10n), '10');
  assert.equal(showValue('x'.repeat(200)).length, 80);
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  assert.equal(typeof showValue(cyclic), 'string');
});
