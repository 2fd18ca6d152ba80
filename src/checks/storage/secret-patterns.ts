// Whether a literal in a manifest is a credential. Two routes, each tuned against false positives:
//
// - The value alone, for formats that are unmistakable (an AWS key ID, a GitHub token, a private key
//   header, a JWT, a URL with a password): reported whatever the key is called.
// - The key's name (`DB_PASSWORD`, `apiKey`, `spring.datasource.password`) with a value that is a
//   real literal: not empty, not a reference (`$(VAR)`, `${VAR}`, `{{ .Values.x }}`), not a known
//   placeholder (`changeme`, `<password>`, `xxx`), not a path, a plain URL, a number or a boolean.
//   Names that describe a secret rather than hold one (`PASSWORD_FILE`, `TOKEN_TTL`, `SECRET_NAME`)
//   are not credentials.
//
// The value itself never leaves this module: callers get its kind and length, nothing else.

/**
 * A value longer than this is scanned up to this many characters (a ConfigMap file can be 1 MiB); with
 * every quantifier below bounded too, a scan costs at most a few tens of milliseconds whatever the input.
 */
export const MAX_SCANNED_LENGTH = 64 * 1024;

export interface SecretMatch {
  /** What it looks like: `a GitHub token`, `a password`. */
  readonly kind: string;
  /** 1-based line inside a multi-line value, when the match is not on the first line. */
  readonly line?: number;
  /** For a key/value line inside a file: the key, which is not secret (`db.password`). */
  readonly key?: string;
}

const VALUE_PATTERNS: readonly { pattern: RegExp; kind: string }[] = [
  { pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/, kind: 'a private key' },
  { pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/, kind: 'an AWS access key ID' },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/, kind: 'a GitHub token' },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{50,255}\b/, kind: 'a GitHub token' },
  { pattern: /\bglpat-[A-Za-z0-9_-]{20,255}/, kind: 'a GitLab token' },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,255}/, kind: 'a Slack token' },
  { pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9_]{1,64}\/B[A-Za-z0-9_]{1,64}\/[A-Za-z0-9_]{1,64}/, kind: 'a Slack webhook URL' },
  { pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/, kind: 'a Google API key' },
  { pattern: /\b[sr]k_live_[0-9a-zA-Z]{20,255}/, kind: 'a Stripe secret key' },
  { pattern: /\bnpm_[A-Za-z0-9]{36}\b/, kind: 'an npm token' },
  { pattern: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,512}/, kind: 'a PyPI token' },
  { pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/, kind: 'a SendGrid API key' },
  { pattern: /\bsk-ant-[A-Za-z0-9_-]{20,255}/, kind: 'an Anthropic API key' },
  { pattern: /\bsk-(?:proj-)?[A-Za-z0-9_-]{16,255}T3BlbkFJ[A-Za-z0-9_-]{16,255}/, kind: 'an OpenAI API key' },
  { pattern: /AccountKey=[A-Za-z0-9+/]{86}==/, kind: 'an Azure storage account key' },
  { pattern: /\beyJ[A-Za-z0-9_-]{8,2048}\.eyJ[A-Za-z0-9_-]{8,2048}\.[A-Za-z0-9_-]{8,2048}/, kind: 'a JSON Web Token' },
];

/** `scheme://user:password@host`; the password is checked against the placeholder rules. */
const URL_CREDENTIALS = /\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}:\/\/[^\s:@/'"]{1,128}:([^\s@/'"]{1,128})@/;

/** The shortest value any pattern above can match; shorter values skip the scan entirely. */
const MIN_PATTERN_LENGTH = 12;

/** Words that make a key name a credential's name. */
const SECRET_WORDS = new Set(['PGPASSWORD', 'PASSWORD', 'PASSWD', 'PASS', 'PWD', 'PASSPHRASE', 'SECRET', 'SECRETS', 'TOKEN', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS', 'PRIVATEKEY']);
/** Pairs of words that do (a `KEY` alone is a cache key or a map key). */
const SECRET_PAIRS = new Set([
  'API KEY',
  'ACCESS KEY',
  'SECRET KEY',
  'PRIVATE KEY',
  'CLIENT SECRET',
  'AUTH KEY',
  'SIGNING KEY',
  'ENCRYPTION KEY',
  'MASTER KEY',
  'ACCOUNT KEY',
  'LICENSE KEY',
  'CONNECTION STRING',
]);
/** A name ending in one of these describes a secret (where it is, how long it lives), not its value. */
const META_WORDS = new Set([
  'NAME', 'NAMES', 'FILE', 'FILES', 'PATH', 'DIR', 'DIRECTORY', 'URL', 'URI', 'ENDPOINT', 'HOST', 'PORT', 'TTL', 'TIMEOUT',
  'LENGTH', 'LEN', 'SIZE', 'MIN', 'MAX', 'EXPIRY', 'EXPIRATION', 'EXPIRES', 'AGE', 'LIFETIME', 'DURATION', 'INTERVAL',
  'ENABLED', 'ENABLE', 'DISABLED', 'REQUIRED', 'TYPE', 'KIND', 'HEADER', 'MODE', 'POLICY', 'ALGORITHM', 'ALG', 'ID', 'IDS',
  'REF', 'FIELD', 'FORMAT', 'VERSION', 'PREFIX', 'SUFFIX', 'LOCATION', 'SOURCE', 'PROVIDER', 'STORE', 'ISSUER', 'AUDIENCE',
  'SCOPE', 'SCOPES', 'COUNT', 'RETRIES', 'PARAM', 'COMPLEXITY', 'STRENGTH', 'RESET', 'HASH', 'SALT', 'ROTATION', 'MOUNT', 'STDIN',
]);
/** Cheap screen before splitting a name into words. */
const NAME_SCREEN = /pass|pwd|secret|token|key|credential|connection/i;

const PLACEHOLDERS = new Set([
  'changeme', 'change-me', 'change_me', 'changeit', 'replaceme', 'replace-me', 'replace_me', 'todo', 'tbd', 'fixme',
  'placeholder', 'dummy', 'example', 'sample', 'none', 'null', 'nil', 'undefined', 'true', 'false', 'yes', 'no', 'on', 'off',
  'required', 'optional', 'redacted', 'hidden', 'secret', 'password', 'token', 'notset', 'not-set', 'unset', 'default',
]);
const REFERENCE = /^\$\([A-Za-z_][A-Za-z0-9_]*\)$|^\$\{[^}]*\}$|^\{\{.*\}\}$|^<[^<>]*>$|^%\([^)]*\)s$/;
const REPEATED = /^(.)\1*$/;
const NUMBER = /^-?\d{1,6}(?:\.\d+)?$/;

/** Words of a key name: `spring.datasource.password` → SPRING DATASOURCE PASSWORD, `apiKey` → API KEY. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toUpperCase());
}

/** Whether a key name says it holds a credential. */
export function isSecretName(name: string): boolean {
  if (!NAME_SCREEN.test(name)) return false;
  const words = nameWords(name);
  if (words.length === 0 || META_WORDS.has(words[words.length - 1]!)) return false;
  for (let i = 0; i < words.length; i++) {
    if (SECRET_WORDS.has(words[i]!)) return true;
    if (i > 0 && SECRET_PAIRS.has(`${words[i - 1]} ${words[i]}`)) return true;
  }
  return false;
}

/** Whether a value under a credential's name is a real literal rather than a reference or a placeholder. */
export function isLiteralSecretValue(raw: string): boolean {
  const value = raw.trim();
  if (value.length < 4 || /\s/.test(value)) return false;
  if (REFERENCE.test(value) || value.includes('$(') || value.includes('${') || value.includes('{{')) return false;
  if (PLACEHOLDERS.has(value.toLowerCase()) || REPEATED.test(value) || NUMBER.test(value)) return false;
  if (value.startsWith('/') || value.startsWith('./') || value.startsWith('~/') || value.startsWith('file:')) return false;
  // A URL names where something is; one that carries a password is caught by the value route.
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(value)) return false;
  return true;
}

/** What the value alone says it is, or undefined. */
export function secretValueKind(value: string): string | undefined {
  if (value.length < MIN_PATTERN_LENGTH) return undefined;
  const text = value.length > MAX_SCANNED_LENGTH ? value.slice(0, MAX_SCANNED_LENGTH) : value;
  for (const { pattern, kind } of VALUE_PATTERNS) if (pattern.test(text)) return kind;
  const url = text.includes('://') ? URL_CREDENTIALS.exec(text) : null;
  if (url !== null && isLiteralSecretValue(url[1]!)) return 'a password inside a URL';
  return undefined;
}

/** A single key and value (an environment variable, a ConfigMap entry of one line). */
export function classifySecret(name: string, value: string): SecretMatch | undefined {
  const byValue = secretValueKind(value);
  if (byValue !== undefined) return { kind: byValue };
  if (isSecretName(name) && isLiteralSecretValue(value)) return { kind: `a literal ${describeName(name)}` };
  return undefined;
}

function describeName(name: string): string {
  const words = nameWords(name);
  if (words.some((word) => word.startsWith('PASS') || word === 'PWD' || word === 'PGPASSWORD')) return 'password';
  if (words.includes('TOKEN')) return 'token';
  if (words.includes('KEY') || words.includes('APIKEY') || words.includes('PRIVATEKEY')) return 'key';
  return 'secret';
}

/** `key = value`, `key: value`, `"key": "value",` and `export KEY=value` lines of configuration files. */
const KEY_VALUE_LINE = /^\s*(?:export\s+)?["']?([A-Za-z0-9_.\-[\]]{1,128})["']?\s*[:=](.*)$/;
/** Longer lines are base64 blobs or minified data, not `key: value` settings. */
const MAX_SETTING_LINE = 4096;

function unquote(value: string): string {
  if (value.length >= 2) {
    const first = value[0];
    if ((first === '"' || first === "'") && value.endsWith(first)) return value.slice(1, -1);
  }
  return value;
}

/**
 * Scans the text of a configuration file (a ConfigMap value): value patterns anywhere, then
 * `key: value` lines whose key names a credential. Returns the first match; bounded by MAX_SCANNED_LENGTH.
 */
export function scanConfigText(name: string, text: string): SecretMatch | undefined {
  if (!text.includes('\n')) return classifySecret(name, text);
  const scanned = text.length > MAX_SCANNED_LENGTH ? text.slice(0, MAX_SCANNED_LENGTH) : text;
  const lines = scanned.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const byValue = secretValueKind(line);
    if (byValue !== undefined) return { kind: byValue, line: i + 1 };
    if (line.length > MAX_SETTING_LINE) continue;
    const pair = KEY_VALUE_LINE.exec(line);
    if (pair === null) continue;
    const key = pair[1]!;
    if (!isSecretName(key)) continue;
    let value = pair[2]!.trim();
    if (value.endsWith(',')) value = value.slice(0, -1).trimEnd();
    if (isLiteralSecretValue(unquote(value))) return { kind: `a literal ${describeName(key)}`, line: i + 1, key };
  }
  return undefined;
}

/** Command lines longer than this many arguments, or words inside one argument, are scanned up to it. */
export const MAX_ARGUMENTS = 256;
/** Characters scanned per command line, all arguments together (a shell script in `-c` can be long). */
export const MAX_COMMAND_LINE = MAX_SCANNED_LENGTH;
const MAX_WORDS = 1024;
/** `--db-password=x`, `-token=x`, and `DB_PASSWORD=x` (a shell assignment inside `sh -c`). */
const FLAG_WITH_VALUE = /^(?:--?([A-Za-z][A-Za-z0-9_.-]{0,127})|([A-Za-z_][A-Za-z0-9_]{0,127}))=(.*)$/s;
/** `--db-password` alone: its value is the next word. */
const FLAG_ALONE = /^--?([A-Za-z][A-Za-z0-9_.-]{0,127})$/;

/** Where in a command line a credential is, and what it looks like. */
export interface ArgumentMatch extends SecretMatch {
  /** Index of the argument (in `command` or `args`) holding the value. */
  readonly index: number;
  /** The flag or variable that names it (`--db-password`), which is not secret. */
  readonly flag?: string;
  /** Length of the value alone. */
  readonly length: number;
}

/**
 * A literal under a credential's name on a command line: also not a shell or Kubernetes expansion
 * (`$DB_PASSWORD`, `$(TOKEN)`), which `sh -c` strings and `args` use to read a Secret.
 */
function isLiteralArgument(value: string): boolean {
  const text = unquote(value);
  return !text.includes('$') && isLiteralSecretValue(text);
}

/**
 * The words of one argument. An argument without whitespace is one argv word as the container gets it
 * (`--password=a;b` has a `;` in the password); one with whitespace is a script for `sh -c`, split at
 * blanks and shell separators. Quotes are kept for unquote() to strip.
 */
function words(text: string): string[] {
  if (!/\s/.test(text)) return [text];
  const out = text.split(/[\s;|&]+/).filter((word) => word !== '');
  return out.length > MAX_WORDS ? out.slice(0, MAX_WORDS) : out;
}

/**
 * Credentials on a container's command line (`command` then `args` as one list, or each alone): values
 * in an unmistakable format anywhere, and literals given to flags or variables with credential names,
 * as `--password=x`, `--password x` (the next word or argument) or `PASSWORD=x`. The first match per
 * argument; bounded by MAX_ARGUMENTS, MAX_WORDS and MAX_COMMAND_LINE.
 */
export function scanArguments(argv: readonly unknown[]): ArgumentMatch[] {
  const out: ArgumentMatch[] = [];
  const count = Math.min(argv.length, MAX_ARGUMENTS);
  // A flag alone at the end of one argument takes its value from the first word of the next.
  let pending: string | undefined;
  let budget = MAX_COMMAND_LINE;
  for (let index = 0; index < count && budget > 0; index++) {
    const whole = argv[index];
    if (typeof whole !== 'string' || whole === '') {
      pending = undefined;
      continue;
    }
    const argument = whole.length > budget ? whole.slice(0, budget) : whole;
    budget -= argument.length;
    const byValue = secretValueKind(argument);
    if (byValue !== undefined) {
      out.push({ index, kind: byValue, length: whole.length });
      pending = undefined;
      continue;
    }
    let found: ArgumentMatch | undefined;
    for (const word of words(argument)) {
      if (pending !== undefined) {
        const name = pending;
        pending = undefined;
        if (!word.startsWith('-') && isLiteralArgument(word)) {
          found = { index, kind: `a literal ${describeName(name)}`, flag: `--${name}`, length: unquote(word).length };
          break;
        }
      }
      const assignment = FLAG_WITH_VALUE.exec(word);
      if (assignment !== null) {
        const name = assignment[1] ?? assignment[2]!;
        const value = assignment[3]!;
        if (isSecretName(name) && isLiteralArgument(value)) {
          found = { index, kind: `a literal ${describeName(name)}`, flag: assignment[1] !== undefined ? word.slice(0, word.indexOf('=')) : name, length: unquote(value).length };
          break;
        }
        continue;
      }
      const alone = FLAG_ALONE.exec(word);
      if (alone !== null && isSecretName(alone[1]!)) pending = alone[1]!;
    }
    if (found !== undefined) {
      out.push(found);
      pending = undefined;
    }
  }
  return out;
}
