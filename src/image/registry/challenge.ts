/** One `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export interface Challenge {
  /** Lower case: `bearer`, `basic`. */
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const MAX_HEADER = 8192;

/**
 * Parses the challenges of a `WWW-Authenticate` header (RFC 9110 §11.6.1): auth-params with token or
 * quoted-string values, several challenges separated by commas. Malformed parts end parsing; what was
 * parsed before is kept. Never throws.
 */
export function parseChallenges(header: string): Challenge[] {
  const text = header.length > MAX_HEADER ? header.slice(0, MAX_HEADER) : header;
  const out: Challenge[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const token = (): string | null => {
    TOKEN.lastIndex = i;
    const match = TOKEN.exec(text);
    if (match === null) return null;
    i += match[0].length;
    return match[0];
  };
  while (i < text.length) {
    skipSpace();
    while (text[i] === ',') {
      i++;
      skipSpace();
    }
    const scheme = token();
    if (scheme === null) break;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    skipSpace();
    // auth-params until the next scheme (a token not followed by '=').
    for (;;) {
      skipSpace();
      const start = i;
      const name = token();
      if (name === null) break;
      skipSpace();
      if (text[i] !== '=') {
        i = start; // the next challenge's scheme
        break;
      }
      i++;
      skipSpace();
      let value = '';
      if (text[i] === '"') {
        i++;
        let closed = false;
        while (i < text.length) {
          const c = text[i]!;
          if (c === '\\' && i + 1 < text.length) {
            value += text[i + 1];
            i += 2;
          } else if (c === '"') {
            i++;
            closed = true;
            break;
          } else {
            value += c;
            i++;
          }
        }
        if (!closed) return out;
      } else {
        value = token() ?? '';
      }
      const key = name.toLowerCase();
      // Plain object for callers; keys that would reach the prototype are not parameters anyway.
      if (key !== '__proto__' && key !== 'constructor' && key !== 'prototype') challenge.params[key] = value;
      skipSpace();
      if (text[i] === ',') i++;
      else break;
    }
  }
  return out;
}
