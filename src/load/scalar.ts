// Scalar resolution exactly as the Kubernetes API server's YAML decoding performs it:
// sigs.k8s.io/yaml parses with its goyaml.v2 fork (YAML 1.1 implicit typing, timestamps kept as the
// text they were written as when decoding into interface{}), then converts the result to JSON,
// turning non-string mapping keys into strings. Kubernetes manifests hit these rules more often than
// one would like (`on`, `no`, `0755`, `1e3` unquoted), so they are reproduced rule for rule.

/** The tags goyaml.v2 resolves a scalar to. */
export type ScalarTag = 'str' | 'null' | 'bool' | 'int' | 'uint' | 'bigint' | 'float' | 'timestamp';

/**
 * The tag the last call to {@link resolvePlain} or {@link resolveTagged} resolved to. A module-level
 * register rather than a returned pair: the hot path resolves millions of scalars and allocates
 * nothing for the common string case.
 */
export let resolvedTag: ScalarTag = 'str';

// Classification of a scalar's first character, as goyaml.v2 does before trying any conversion.
const HINT_NONE = 0;
const HINT_SIGN = 1;
const HINT_DIGIT = 2;
const HINT_MAP = 3;
const HINT_DOT = 4;

const HINTS = new Uint8Array(128);
HINTS[0x2b] = HINT_SIGN; // +
HINTS[0x2d] = HINT_SIGN; // -
for (let c = 0x30; c <= 0x39; c++) HINTS[c] = HINT_DIGIT;
for (const c of 'yYnNtTfFoO~') HINTS[c.charCodeAt(0)] = HINT_MAP;
HINTS[0x2e] = HINT_DOT; // .

interface Known {
  tag: ScalarTag;
  value: unknown;
}

const KNOWN = new Map<string, Known>();
function known(tag: ScalarTag, value: unknown, spellings: string[]): void {
  for (const spelling of spellings) KNOWN.set(spelling, { tag, value });
}
known('bool', true, ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
known('bool', false, ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
known('null', null, ['', '~', 'null', 'Null', 'NULL']);
known('float', Number.NaN, ['.nan', '.NaN', '.NAN']);
known('float', Number.POSITIVE_INFINITY, ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']);
known('float', Number.NEGATIVE_INFINITY, ['-.inf', '-.Inf', '-.INF']);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// What Go's strconv.ParseFloat accepts for a text starting with '.': digits, an optional exponent,
// no underscores (they are only allowed after a base prefix).
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN_MAGNITUDE = 1n << 63n;
const UINT64_MAX = (1n << 64n) - 1n;

const SYNTAX = 0;
const RANGE = 1;
const OK = 2;

// Result registers of parseGoUnsigned, for the same no-allocation reason as resolvedTag.
let parsedMagnitude = 0n;

/**
 * Go's strconv.ParseUint(s, 0, 64) on an unsigned text: base prefixes 0x, 0o, 0b (any case), a
 * leading 0 meaning octal. Leaves the magnitude in `parsedMagnitude`.
 */
function parseGoUnsigned(s: string): number {
  if (s === '') return SYNTAX;
  let base = 10;
  let digits = s;
  if (s.charCodeAt(0) === 0x30 && s.length > 1) {
    const prefix = s.charCodeAt(1) | 0x20;
    if (s.length >= 3 && prefix === 0x78) {
      base = 16;
      digits = s.slice(2);
    } else if (s.length >= 3 && prefix === 0x6f) {
      base = 8;
      digits = s.slice(2);
    } else if (s.length >= 3 && prefix === 0x62) {
      base = 2;
      digits = s.slice(2);
    } else {
      base = 8;
      digits = s.slice(1);
    }
  }
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x7a) d = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x5a) d = c - 0x41 + 10;
    else return SYNTAX;
    if (d >= base) return SYNTAX;
  }
  if (base === 10 && digits.length <= 15) {
    parsedMagnitude = BigInt(Number(digits));
    return OK;
  }
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  parsedMagnitude = BigInt(prefix + digits);
  return parsedMagnitude > UINT64_MAX ? RANGE : OK;
}

/** The value of `s` as a Go int64 (ParseInt base 0), or SYNTAX/RANGE. Sets parsedMagnitude (signed). */
function parseGoInt64(s: string): number {
  let negative = false;
  let rest = s;
  const first = s.charCodeAt(0);
  if (first === 0x2b || first === 0x2d) {
    negative = first === 0x2d;
    rest = s.slice(1);
  }
  const status = parseGoUnsigned(rest);
  if (status !== OK) return status;
  if (negative) {
    if (parsedMagnitude > INT64_MIN_MAGNITUDE) return RANGE;
    parsedMagnitude = -parsedMagnitude;
  } else if (parsedMagnitude > INT64_MAX) return RANGE;
  return OK;
}

function intResult(value: bigint): number {
  // `-0` parses to the integer 0, which has no sign.
  return value === 0n ? 0 : Number(value);
}

/**
 * The common case of an integer written in decimal without a leading zero (ports, replicas, ids)
 * that fits a double exactly; null for anything else, which then takes the general route.
 */
function smallDecimal(text: string): number | null {
  let i = 0;
  const first = text.charCodeAt(0);
  if (first === 0x2d || first === 0x2b) i = 1;
  const length = text.length - i;
  if (length === 0 || length > 15) return null;
  const lead = text.charCodeAt(i);
  if (lead === 0x30) return length === 1 ? 0 : null;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c < 0x30 || c > 0x39) return null;
  }
  const value = Number(text);
  return value === 0 ? 0 : value;
}

/**
 * Whether every character of `text` could belong to a number some route of resolvePlain reads:
 * digits, hexadecimal letters, base prefixes, `_`, `.`, signs and exponents.
 */
function numberCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && NUMBER_CHARACTERS[c] === 1) continue;
    return false;
  }
  return true;
}

const NUMBER_CHARACTERS = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEFxXoO_.+-') NUMBER_CHARACTERS[c.charCodeAt(0)] = 1;

/** The exact integer text of the last int/uint/bigint resolution (for keys, where precision matters). */
export let resolvedIntegerText = '';

/**
 * Resolves an untagged plain scalar the way goyaml.v2 does (`resolve("", in)`), returning the value
 * decoded into interface{}: string, null, boolean or number (integers beyond 2^53 lose precision, as
 * they do for any JavaScript JSON reader). Sets {@link resolvedTag}.
 */
export function resolvePlain(text: string): unknown {
  const first = text.length === 0 ? -1 : text.charCodeAt(0);
  const hint = first === -1 ? HINT_MAP : first < 128 ? HINTS[first]! : HINT_NONE;
  if (hint === HINT_NONE) {
    resolvedTag = 'str';
    return text;
  }
  const hit = KNOWN.get(text);
  if (hit !== undefined) {
    resolvedTag = hit.tag;
    return hit.value;
  }
  if (hint === HINT_DOT) {
    if (DOT_FLOAT.test(text)) {
      const value = Number(text);
      if (Number.isFinite(value)) {
        resolvedTag = 'float';
        return value;
      }
    }
  } else if (hint === HINT_DIGIT || hint === HINT_SIGN) {
    if (isTimestamp(text)) {
      // Timestamps decode into interface{} as the text they were written as.
      resolvedTag = 'timestamp';
      return text;
    }
    const small = smallDecimal(text);
    if (small !== null) {
      resolvedTag = 'int';
      return small;
    }
    if (!numberCharacters(text)) {
      // Quantities (`500m`, `256Mi`) and versions: no route below can read them.
      resolvedTag = 'str';
      return text;
    }
    const plain = text.indexOf('_') === -1 ? text : text.replaceAll('_', '');
    let status = parseGoInt64(plain);
    if (status === OK) {
      resolvedTag = 'int';
      resolvedIntegerText = parsedMagnitude.toString();
      return intResult(parsedMagnitude);
    }
    const unsigned = parseGoUnsigned(plain);
    if (unsigned === OK) {
      resolvedTag = 'uint';
      resolvedIntegerText = parsedMagnitude.toString();
      return Number(parsedMagnitude);
    }
    status = unsigned;
    if (YAML_STYLE_FLOAT.test(plain)) {
      const value = Number(plain);
      if (Number.isFinite(value)) {
        resolvedTag = 'float';
        return value;
      }
    }
    // goyaml.v2 then retries 0b/-0b texts and finally falls back to big integers when the integer
    // was syntactically fine but too large for 64 bits.
    if (status === RANGE) {
      const negative = plain.charCodeAt(0) === 0x2d;
      const body = plain.charCodeAt(0) === 0x2b || negative ? plain.slice(1) : plain;
      if (/^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9][0-9]*)$/.test(body)) {
        const normalized = /^0[0-7]/.test(body) ? `0o${body.slice(1)}` : body;
        const magnitude = BigInt(normalized);
        resolvedTag = 'bigint';
        resolvedIntegerText = (negative ? -magnitude : magnitude).toString();
        return negative ? -Number(magnitude) : Number(magnitude);
      }
    }
  }
  resolvedTag = 'str';
  return text;
}

// goyaml.v2's accepted timestamp layouts (a subset of the YAML timestamp type): date only,
// date and time with an RFC 3339 zone (T or t), date and time separated by a space without zone.
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])|( ))(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/;

function isTimestamp(text: string): boolean {
  // Cheap pre-check goyaml.v2 also does: all formats start with four digits and a dash.
  if (text.length < 8 || text.charCodeAt(4) !== 0x2d) return false;
  const m = TIMESTAMP.exec(text);
  if (m === null) return false;
  const zoned = m[4] !== undefined;
  if (m[6] !== undefined && zoned !== (m[9] !== undefined)) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (day > days[month - 1]!) return false;
  if (m[6] !== undefined && (Number(m[6]) > 23 || Number(m[7]) > 59 || Number(m[8]) > 59)) return false;
  if (m[9] !== undefined && m[9] !== 'Z' && (Number(m[9].slice(1, 3)) > 23 || Number(m[9].slice(4)) > 59)) return false;
  return true;
}

const YAML_TAG_PREFIX = 'tag:yaml.org,2002:';

/**
 * Resolves a scalar that carries an explicit tag (already expanded to its full form, e.g.
 * `tag:yaml.org,2002:int`), as goyaml.v2 does: a `!!str` keeps the text, a tag goyaml.v2 knows
 * must match what the text resolves to (an int is accepted as a float), any other tag leaves the
 * text as a string. Returns an error message when goyaml.v2 would refuse the document.
 */
export function resolveTagged(tag: string, text: string): { value: unknown; error?: string } {
  const short = tag.startsWith(YAML_TAG_PREFIX) ? tag.slice(YAML_TAG_PREFIX.length) : null;
  if (short === 'str') {
    resolvedTag = 'str';
    return { value: text };
  }
  if (short === 'binary') {
    resolvedTag = 'str';
    const compact = text.replace(/[\r\n]/g, '');
    if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
      return { value: text, error: '!!binary value contains invalid base64 data' };
    }
    return { value: Buffer.from(compact, 'base64').toString('utf8') };
  }
  if (short !== 'bool' && short !== 'int' && short !== 'float' && short !== 'null' && short !== 'timestamp') {
    // Not a tag goyaml.v2 resolves: the scalar decodes as its text.
    resolvedTag = 'str';
    return { value: text };
  }
  const value = resolvePlain(text);
  const got: ScalarTag = resolvedTag === 'uint' || resolvedTag === 'bigint' ? 'int' : resolvedTag;
  if (got === short) return { value };
  if (short === 'float' && got === 'int') {
    resolvedTag = 'float';
    return { value };
  }
  return { value: text, error: `cannot decode !!${got} \`${text}\` as a !!${short}` };
}

/**
 * sigs.k8s.io/yaml's conversion of a decoded mapping key to a JSON object key. Returns null when
 * the conversion fails (null keys, integers beyond int64) — the API server rejects such documents.
 */
export function keyString(value: unknown, tag: ScalarTag): string | null {
  switch (tag) {
    case 'str':
    case 'timestamp':
      return value as string;
    case 'bool':
      return value ? 'true' : 'false';
    case 'int':
      return Number.isSafeInteger(value) ? String(value) : resolvedIntegerText;
    case 'float':
      return formatFloat32((value as number));
    default:
      return null;
  }
}

/** Go's strconv.FormatFloat(v, 'g', -1, 32), with goyaml's spellings of the special values. */
export function formatFloat32(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Number.POSITIVE_INFINITY) return '.inf';
  if (value === Number.NEGATIVE_INFINITY) return '-.inf';
  const single = Math.fround(value);
  if (!Number.isFinite(single)) return single > 0 ? '.inf' : '-.inf';
  if (single === 0) return Object.is(single, -0) ? '-0' : '0';
  // Shortest decimal that reads back as the same float32.
  let exponential = '';
  for (let precision = 1; precision <= 9; precision++) {
    exponential = single.toExponential(precision - 1);
    if (Math.fround(Number(exponential)) === single) break;
  }
  const negative = exponential.startsWith('-');
  const [mantissa = '', exponentText = '0'] = (negative ? exponential.slice(1) : exponential).split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  let out: string;
  if (exponent < -4 || exponent >= 6) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const sign = exponent < 0 ? '-' : '+';
    const magnitude = Math.abs(exponent);
    out = `${digits[0]}${fraction}e${sign}${magnitude < 10 ? '0' : ''}${magnitude}`;
  } else if (exponent < 0) {
    out = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  } else if (digits.length <= exponent + 1) {
    out = digits + '0'.repeat(exponent + 1 - digits.length);
  } else {
    out = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  }
  return negative ? `-${out}` : out;
}
