// Kubernetes quantity library ("kubernetes.quantity"): quantity(), isQuantity() and arithmetic and
// comparison on resource.Quantity. Parsing follows apimachinery's ParseQuantity rule for rule,
// including which values keep the compact int64 form (that is what `isInteger`/`asInteger` answer
// from: `quantity("1.0").isInteger()` is false on the API server, and here).
import type { CelFunc, CelValue } from '@bufbuild/cel';
import { bothFn, globalFn, isInt, isString, memberFn, opaque } from '../overload.ts';
import { asCel, Opaque } from '../values.ts';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
/** Exponents beyond this are refused rather than expanded into enormous integers. */
const MAX_EXPONENT = 10_000;

const FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const NUMERIC_ERROR = 'unable to parse numeric part of quantity';
const SUFFIX_ERROR = "unable to parse quantity's suffix";

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/**
 * mantissa × 10^exponent. `compact` marks apimachinery's int64Amount form (value × 10^scale with an
 * int64 value), the only form AsInt64 converts; arithmetic that leaves int64 switches to the exact
 * decimal form, as apimachinery's inf.Dec does.
 */
export class Quantity extends Opaque {
  readonly typeName = 'kubernetes.Quantity';
  readonly mantissa: bigint;
  readonly exponent: number;
  readonly compact: boolean;

  constructor(mantissa: bigint, exponent: number, compact: boolean) {
    super();
    this.mantissa = mantissa;
    this.exponent = exponent;
    this.compact = compact;
  }

  protected identity(): [string, CelValue] {
    // Equal quantities have equal normal forms: no trailing zeros in the mantissa.
    let m = this.mantissa;
    let e = this.exponent;
    if (m === 0n) return [this.typeName, '0'];
    while (m % 10n === 0n) {
      m /= 10n;
      e++;
    }
    return [this.typeName, `${m}e${e}`];
  }

  sign(): number {
    return this.mantissa === 0n ? 0 : this.mantissa > 0n ? 1 : -1;
  }

  toString(): string {
    const negative = this.mantissa < 0n;
    const digits = (negative ? -this.mantissa : this.mantissa).toString();
    let text: string;
    if (this.exponent >= 0) text = digits + '0'.repeat(Math.min(this.exponent, MAX_EXPONENT));
    else {
      const point = digits.length + this.exponent;
      text = point > 0 ? `${digits.slice(0, point)}.${digits.slice(point)}` : `0.${'0'.repeat(-point)}${digits}`;
      text = text.replace(/\.?0+$/, '');
    }
    return (negative ? '-' : '') + text;
  }
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function inInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}

/** Aligns two quantities to a common exponent. */
function aligned(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const e = Math.min(a.exponent, b.exponent);
  return [a.mantissa * pow10(a.exponent - e), b.mantissa * pow10(b.exponent - e), e];
}

export function compareQuantities(a: Quantity, b: Quantity): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

interface Scanned {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

/** apimachinery's parseQuantityString. */
function scan(str: string): Scanned {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    if (str[0] === '-') {
      positive = false;
      pos++;
    } else if (str[0] === '+') pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i]!)) i++;
  let num = str.slice(pos, i);
  if (i >= end) return { positive, value: str, num, denom: '', suffix: '' };
  pos = i;
  if (num === '') num = '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i]!)) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = i;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  i = pos;
  while (i < end && 'eEinumkKMGTP'.includes(str[i]!)) i++;
  if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  pos = i;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  for (i = pos; i < end; i++) if (!isDigit(str[i]!)) throw new Error(FORMAT_ERROR);
  return { positive, value, num, denom, suffix: str.slice(suffixStart) };
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

const DECIMAL_SUFFIXES: Record<string, number> = { '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

function interpret(suffix: string): { base: 10 | 2; exponent: number; format: Format } {
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix]!, format: 'DecimalSI' };
  if (Object.hasOwn(BINARY_SUFFIXES, suffix)) return { base: 2, exponent: BINARY_SUFFIXES[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) throw new Error(`quantity exponent ${suffix.slice(1)} is out of the supported range`);
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  throw new Error(SUFFIX_ERROR);
}

/** apimachinery's ParseQuantity. */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new Error(FORMAT_ERROR);
  if (str === '0') return new Quantity(0n, 0, true);
  const { positive, value, num, denom, suffix } = scan(str);
  const { base, exponent, format } = interpret(suffix);

  let precision = 0;
  let scale = 0;
  let multiplier = 1n;
  if (format === 'BinarySI') {
    if (exponent >= 0 && denom.length === 0) {
      multiplier = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else precision = -1;
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= -9) {
      const shifted = BigInt(num + denom);
      if (!inInt64(shifted)) throw new Error(NUMERIC_ERROR);
      const result = shifted * multiplier;
      if (inInt64(result)) return new Quantity(positive ? result : -result, scale, true);
    }
  }

  // The exact decimal route.
  const match = /^[+-]?([0-9]*)(?:\.([0-9]*))?$/.exec(value);
  if (match === null || (match[1] === '' && (match[2] ?? '') === '')) throw new Error(NUMERIC_ERROR);
  const fraction = match[2] ?? '';
  let mantissa = BigInt((match[1] ?? '') + fraction || '0');
  let exp = -fraction.length;
  if (base === 10) exp += exponent;
  else mantissa <<= BigInt(exponent);
  // Non-zero values are rounded up (away from zero) to a multiple of 10^-9.
  if (mantissa !== 0n && exp < -9) {
    const divisor = pow10(-9 - exp);
    mantissa = (mantissa + divisor - 1n) / divisor;
    exp = -9;
  }
  if (format === 'BinarySI' && mantissa * pow10(Math.max(exp, 0)) > INT64_MAX * pow10(Math.max(-exp, 0))) {
    mantissa = INT64_MAX;
    exp = 0;
  }
  return new Quantity(value.startsWith('-') ? -mantissa : mantissa, exp, false);
}

function isQuantity(str: string): boolean {
  try {
    parseQuantity(str);
    return true;
  } catch {
    return false;
  }
}

function compactInt(q: Quantity): bigint | null {
  if (!q.compact) return null;
  if (q.exponent === 0) return q.mantissa;
  if (q.exponent < 0) return null;
  const value = q.mantissa * pow10(q.exponent);
  return inInt64(value) ? value : null;
}

/** apimachinery's Quantity.Add, keeping the int64 form when it can. */
function addQuantities(a: Quantity, b: Quantity): Quantity {
  if (a.compact && b.compact) {
    if (b.mantissa === 0n) return a;
    if (a.mantissa === 0n) return b;
    if (a.exponent === b.exponent) {
      const sum = a.mantissa + b.mantissa;
      if (inInt64(sum)) return new Quantity(sum, a.exponent, true);
    } else {
      const [x, y, e] = aligned(a, b);
      const larger = a.exponent > b.exponent ? x : y;
      if (inInt64(larger) && inInt64(x + y)) return new Quantity(x + y, e, true);
    }
  }
  const [x, y, e] = aligned(a, b);
  return new Quantity(x + y, e, false);
}

function negate(q: Quantity): Quantity {
  return new Quantity(-q.mantissa, q.exponent, q.compact);
}

function fromInt(value: bigint): Quantity {
  return new Quantity(value, 0, true);
}

function multiply(q: Quantity, by: bigint): Quantity {
  const product = q.mantissa * by;
  return new Quantity(product, q.exponent, q.compact && inInt64(product));
}

function divide(q: Quantity, by: bigint, places: number): Quantity {
  if (by === 0n) throw new Error('division by zero error');
  // value / by = m × 10^e / by, rounded half away from zero to `places` decimal digits.
  const k = q.exponent + places;
  const scaled = k >= 0 ? q.mantissa * pow10(k) : q.mantissa;
  const divisor = k >= 0 ? by : by * pow10(-k);
  const negative = scaled < 0n !== divisor < 0n;
  const n = scaled < 0n ? -scaled : scaled;
  const d = divisor < 0n ? -divisor : divisor;
  let quotient = n / d;
  if ((n % d) * 2n >= d) quotient += 1n;
  return new Quantity(negative ? -quotient : quotient, -places, false);
}

function integerDivide(q: Quantity, by: bigint): Quantity {
  if (by === 0n) throw new Error('division by zero error');
  const value = q.exponent >= 0 ? q.mantissa * pow10(q.exponent) : q.mantissa / pow10(-q.exponent);
  const quotient = value / by;
  return new Quantity(quotient, 0, inInt64(quotient));
}

function approximateFloat(q: Quantity): number {
  const base = Number(q.mantissa);
  if (q.exponent === 0) return base;
  return q.exponent > 0 ? base * Number(`1e${q.exponent}`) : base / Number(`1e${-q.exponent}`);
}

const isQuantityValue = opaque(Quantity);

function quantityArg(value: CelValue): Quantity {
  return value as unknown as Quantity;
}

export const quantityFunctions: CelFunc[] = [
  globalFn('quantity', [isString], (s) => asCel(parseQuantity(s as string))),
  globalFn('isQuantity', [isString], (s) => isQuantity(s as string)),
  ...bothFn('sign', isQuantityValue, [], (q) => BigInt(quantityArg(q).sign())),
  memberFn('isGreaterThan', isQuantityValue, [isQuantityValue], (a, b) => compareQuantities(quantityArg(a), quantityArg(b)) > 0),
  memberFn('isLessThan', isQuantityValue, [isQuantityValue], (a, b) => compareQuantities(quantityArg(a), quantityArg(b)) < 0),
  memberFn('compareTo', isQuantityValue, [isQuantityValue], (a, b) => BigInt(compareQuantities(quantityArg(a), quantityArg(b)))),
  memberFn('asApproximateFloat', isQuantityValue, [], (q) => approximateFloat(quantityArg(q))),
  memberFn('asInteger', isQuantityValue, [], (q) => {
    const value = compactInt(quantityArg(q));
    if (value === null) throw new Error('cannot convert value to integer');
    return value;
  }),
  memberFn('isInteger', isQuantityValue, [], (q) => compactInt(quantityArg(q)) !== null),
  memberFn('add', isQuantityValue, [isQuantityValue], (a, b) => asCel(addQuantities(quantityArg(a), quantityArg(b)))),
  memberFn('add', isQuantityValue, [isInt], (a, b) => asCel(addQuantities(quantityArg(a), fromInt(b as bigint)))),
  memberFn('sub', isQuantityValue, [isQuantityValue], (a, b) => asCel(addQuantities(quantityArg(a), negate(quantityArg(b))))),
  memberFn('sub', isQuantityValue, [isInt], (a, b) => asCel(addQuantities(quantityArg(a), fromInt(-(b as bigint))))),
  memberFn('mul', isQuantityValue, [isInt], (a, b) => asCel(multiply(quantityArg(a), b as bigint))),
  memberFn('div', isQuantityValue, [isInt], (a, b) => asCel(divide(quantityArg(a), b as bigint, 4))),
  memberFn('div', isQuantityValue, [isInt, isInt], (a, b, places) => {
    const p = places as bigint;
    if (p < 0n || p > 10n) throw new Error(`the valid range for roundVal is 0 to 10 but ${p} was passed`);
    return asCel(divide(quantityArg(a), b as bigint, Number(p)));
  }),
  memberFn('divInt', isQuantityValue, [isInt], (a, b) => asCel(integerDivide(quantityArg(a), b as bigint))),
];

