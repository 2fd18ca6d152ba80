import { createHash } from 'node:crypto';
import { allowedPath, allowedValue } from './allow.ts';
import { ALL_KEYWORDS, SECRET_RULES, type SecretRule } from './rules.ts';

export interface SecretMatch {
  rule: string;
  title: string;
  line: number;
  column: number;
  /** `sha256:` and 16 hex digits of the secret: tells two findings apart without revealing either. */
  fingerprint: string;
}

export interface SecretScanLimits {
  /** Bytes read from the start of each file. */
  maxBytesPerFile: number;
  /** A NUL within this many leading bytes marks a binary, which is skipped. */
  binarySniffBytes: number;
}

export const DEFAULT_SECRET_LIMITS: SecretScanLimits = { maxBytesPerFile: 1024 * 1024, binarySniffBytes: 8000 };

/** Files never worth reading for secrets: media, archives, compiled code. */
const SKIPPED_EXTENSIONS = /\.(?:png|jpe?g|gif|ico|bmp|webp|svg|ttf|otf|woff2?|eot|gz|tgz|xz|bz2|zst|zip|jar|war|ear|whl|so(?:\.\d+)*|a|o|pyc|pyo|class|mo|wasm|node|db|sqlite|pdf|mp[34]|avi|mov)$/i;

export function shouldScanForSecrets(path: string): boolean {
  return !SKIPPED_EXTENSIONS.test(path) && allowedPath(path) === null;
}

const KEYWORD_FILTER = new RegExp(ALL_KEYWORDS.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

function fingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 16)}`;
}

/** 1-based line and column of `index` in `text`. */
function position(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

/**
 * The secrets in one file's leading bytes. Text is read as latin1 (one character per byte, so offsets
 * stay exact whatever the encoding); binaries are skipped. Never returns the secret itself.
 */
export function scanForSecrets(bytes: Buffer, limits: SecretScanLimits = DEFAULT_SECRET_LIMITS): SecretMatch[] {
  const head = bytes.length > limits.maxBytesPerFile ? bytes.subarray(0, limits.maxBytesPerFile) : bytes;
  if (head.subarray(0, limits.binarySniffBytes).includes(0)) return [];
  const text = head.toString('latin1');
  if (!KEYWORD_FILTER.test(text)) return [];
  const out: SecretMatch[] = [];
  const seen = new Set<string>();
  for (const rule of SECRET_RULES) {
    if (!rule.keywords.some((keyword) => text.includes(keyword))) continue;
    for (const match of matches(rule, text)) {
      const secret = match[1] ?? match[0];
      if (allowedValue(secret)) continue;
      const key = `${rule.id}\0${secret}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const at = position(text, match.index + (match[1] === undefined ? 0 : match[0].indexOf(match[1])));
      out.push({ rule: rule.id, title: rule.title, line: at.line, column: at.column, fingerprint: fingerprint(secret) });
      if (out.length >= 100) return out;
    }
  }
  return out;
}

function matches(rule: SecretRule, text: string): IterableIterator<RegExpMatchArray & { index: number }> {
  rule.pattern.lastIndex = 0;
  return text.matchAll(rule.pattern) as IterableIterator<RegExpMatchArray & { index: number }>;
}

/** Secrets in a short string (an ENV value, a history line), for the config checks. */
export function secretRulesMatching(text: string): string[] {
  if (!KEYWORD_FILTER.test(text)) return [];
  return scanForSecrets(Buffer.from(text, 'latin1')).map((m) => m.rule);
}
