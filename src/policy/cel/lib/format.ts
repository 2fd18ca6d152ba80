// Kubernetes format library ("format", since 1.31): named string formats with the API server's own
// validation messages. `format.dns1123Label().validate(s)` is optional.none() for a valid string
// and optional.of([messages]) otherwise.
import type { CelFunc, CelValue } from '@bufbuild/cel';
import { globalFn, isString, memberFn, opaque } from '../overload.ts';
import { asCel, listOf, Opaque } from '../values.ts';
import { Optional } from './optional.ts';
import { compileRegex } from './re2.ts';
import { requestUriError } from './urls.ts';

export class Format extends Opaque {
  readonly typeName = 'kubernetes.NamedFormat';
  readonly name: string;
  readonly check: (value: string) => string[];

  constructor(name: string, check: (value: string) => string[]) {
    super();
    this.name = name;
    this.check = check;
  }

  protected identity(): [string, CelValue] {
    return [this.typeName, this.name];
  }

  toString(): string {
    return this.name;
  }
}

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;
const DNS1035 = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED})?`;

function full(pattern: string): (value: string) => boolean {
  const re = compileRegex(`^${pattern}$`);
  return (value) => re.test(value);
}

const labelRe = full(LABEL);
const subdomainRe = full(SUBDOMAIN);
const dns1035Re = full(DNS1035);
const qualifiedRe = full(QUALIFIED);
const labelValueRe = full(LABEL_VALUE);

function maxLen(n: number): string {
  return `must be no more than ${n} characters`;
}

function regexError(message: string, pattern: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${pattern}')`;
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join('or ')}regex used for validation is '${pattern}')`;
}

function bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

function dns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (bytes(value) > 63) errs.push(maxLen(63));
  if (!labelRe(value)) {
    if (subdomainRe(value)) errs.push('must not contain dots');
    else {
      errs.push(
        regexError(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          LABEL,
          'my-name',
          '123-abc',
        ),
      );
    }
  }
  return errs;
}

function dns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (bytes(value) > 253) errs.push(maxLen(253));
  if (!subdomainRe(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        SUBDOMAIN,
        'example.com',
      ),
    );
  }
  return errs;
}

function dns1035Label(value: string): string[] {
  const errs: string[] = [];
  if (bytes(value) > 63) errs.push(maxLen(63));
  if (!dns1035Re(value)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035,
        'my-name',
        'abc-123',
      ),
    );
  }
  return errs;
}

const QUALIFIED_MESSAGE = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

function qualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const message of dns1123Subdomain(prefix)) errs.push(`prefix part ${message}`);
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_MESSAGE, QUALIFIED, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (bytes(name) > 63) errs.push(`name part ${maxLen(63)}`);
  if (!qualifiedRe(name)) errs.push(`name part ${regexError(QUALIFIED_MESSAGE, QUALIFIED, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

function labelValue(value: string): string[] {
  const errs: string[] = [];
  if (bytes(value) > 63) errs.push(maxLen(63));
  if (!labelValueRe(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errs;
}

/** apimachinery's prefix variants accept a trailing dash (a generateName prefix). */
function maskTrailingDash(value: string): string {
  return value.length > 1 && value.endsWith('-') ? `${value.slice(0, -2)}a` : value;
}

const UUID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;

function isBase64(value: string): boolean {
  // Go's base64.StdEncoding: padded, standard alphabet; CR and LF are ignored.
  const text = value.replace(/[\r\n]/g, '');
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text) && !/=[^=]/.test(text);
}

function isDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= days[month - 1]!;
}

/** kube-openapi strfmt's date-time: a full date, `T`, a time and a zone (case-insensitive). */
function isDateTime(value: string): boolean {
  if (value.length < 4) return false;
  const parts = value.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0]!)) return false;
  const match = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/.exec(parts[1]!);
  if (match === null) return false;
  return Number(match[1]) <= 23 && Number(match[2]) <= 59 && Number(match[3]) <= 59;
}

const FORMATS: Record<string, Format> = {
  dns1123Label: new Format('DNS1123Label', dns1123Label),
  dns1123Subdomain: new Format('DNS1123Subdomain', dns1123Subdomain),
  dns1035Label: new Format('DNS1035Label', dns1035Label),
  qualifiedName: new Format('QualifiedName', qualifiedName),
  dns1123LabelPrefix: new Format('DNS1123LabelPrefix', (v) => dns1123Label(maskTrailingDash(v))),
  dns1123SubdomainPrefix: new Format('DNS1123SubdomainPrefix', (v) => dns1123Subdomain(maskTrailingDash(v))),
  dns1035LabelPrefix: new Format('DNS1035LabelPrefix', (v) => dns1035Label(maskTrailingDash(v))),
  labelValue: new Format('LabelValue', labelValue),
  uri: new Format('URI', (v) => {
    const error = requestUriError(v);
    return error === null ? [] : [error];
  }),
  uuid: new Format('uuid', (v) => (UUID.test(v) ? [] : ['does not match the UUID format'])),
  byte: new Format('byte', (v) => (isBase64(v) ? [] : ['invalid base64'])),
  date: new Format('date', (v) => (isDate(v) ? [] : ['invalid date'])),
  datetime: new Format('datetime', (v) => (isDateTime(v) ? [] : ['invalid datetime'])),
};

const isFormat = opaque(Format);

export const formatFunctions: CelFunc[] = [
  globalFn('format.named', [isString], (name) => {
    const found = Object.hasOwn(FORMATS, name as string) ? FORMATS[name as string] : undefined;
    return asCel(found === undefined ? Optional.NONE : Optional.of(asCel(found)));
  }),
  memberFn('validate', isFormat, [isString], (format, value) => {
    const errors = (format as unknown as Format).check(value as string);
    return asCel(errors.length === 0 ? Optional.NONE : Optional.of(listOf(errors)));
  }),
  ...Object.entries(FORMATS).map(([name, format]) => globalFn(`format.${name}`, [], () => asCel(format))),
];
