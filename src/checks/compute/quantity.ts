// Kubernetes resource quantities (`500m`, `1.5Gi`, `2e3`), read as the API server reads them and held
// as exact fractions so that `1Gi` and `1073741824` compare equal and `0.1` is not a float.
//
//   quantity ::= sign? digits ( '.' digits? )? suffix      or  sign? '.' digits suffix
//   suffix   ::= '' | 'm' | 'k' | 'M' | 'G' | 'T' | 'P' | 'E' | 'Ki' … 'Ei' | ('e'|'E') sign? digits

/** An exact value: numerator / denominator, the denominator positive. */
export interface Quantity {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export type QuantityErrorCode = 'type' | 'empty' | 'syntax' | 'range';

export type QuantityResult = { ok: true; quantity: Quantity } | { ok: false; code: QuantityErrorCode; message: string };

/** Longer text is not a quantity anyone writes; refusing it bounds the work. */
export const MAX_QUANTITY_LENGTH = 64;
/** Decimal exponents beyond this are refused rather than computed (the API server caps values far below). */
const MAX_EXPONENT = 40;

const GRAMMAR = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei)|([mkMGTPE]))?$/;

const BINARY: Readonly<Record<string, bigint>> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Readonly<Record<string, number>> = { m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

function fail(code: QuantityErrorCode, message: string): QuantityResult {
  return { ok: false, code, message };
}

/** Reads a quantity written as text or as a YAML number. Never throws. */
export function parseQuantity(value: unknown): QuantityResult {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail('range', `${String(value)} is not a finite quantity`);
    text = String(value);
  } else if (typeof value === 'string') {
    text = value;
  } else {
    return fail('type', `expected a quantity such as "500m" or "1Gi"; got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
  }
  if (text === '') return fail('empty', 'expected a quantity such as "500m" or "1Gi"; got an empty string');
  if (text.length > MAX_QUANTITY_LENGTH) return fail('range', `quantity longer than ${MAX_QUANTITY_LENGTH} characters`);
  const match = GRAMMAR.exec(text);
  if (match === null) return fail('syntax', `${JSON.stringify(text)} is not a quantity (expected e.g. "500m", "1.5Gi", "2e3")`);
  const [, sign, whole = '', fractionAfterWhole, fractionOnly, exponent, binary, decimal] = match;
  const fraction = fractionAfterWhole ?? fractionOnly ?? '';
  let scale = -fraction.length;
  if (exponent !== undefined) scale += Number(exponent);
  if (decimal !== undefined) scale += DECIMAL[decimal]!;
  if (Math.abs(scale) > MAX_EXPONENT + MAX_QUANTITY_LENGTH) return fail('range', `${JSON.stringify(text)} is out of range`);
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '');
  let numerator = BigInt(digits === '' ? '0' : digits);
  if (numerator !== 0n && (scale + digits.length > MAX_EXPONENT || scale + digits.length < -MAX_EXPONENT)) {
    return fail('range', `${JSON.stringify(text)} is out of range`);
  }
  let denominator = 1n;
  if (scale >= 0) numerator *= 10n ** BigInt(scale);
  else denominator = 10n ** BigInt(-scale);
  if (binary !== undefined) numerator *= BINARY[binary]!;
  if (sign === '-') numerator = -numerator;
  return { ok: true, quantity: reduce(numerator, denominator) };
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

function reduce(numerator: bigint, denominator: bigint): Quantity {
  const divisor = gcd(numerator, denominator);
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const left = a.numerator * b.denominator;
  const right = b.numerator * a.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}
