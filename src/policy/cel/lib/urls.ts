// Kubernetes URL library ("kubernetes.urls"): url(), isURL() and the getters. Validation is Go's
// url.ParseRequestURI (absolute URI or absolute path) and the components come from url.Parse, as the
// API server computes them; both are reproduced here from Go's net/url rules.
import type { CelFunc, CelValue } from '@bufbuild/cel';
import { globalFn, isString, memberFn, opaque } from '../overload.ts';
import { asCel, listOf, mapOf, Opaque } from '../values.ts';

export class Url extends Opaque {
  readonly typeName = 'kubernetes.URL';
  readonly source: string;
  readonly scheme: string;
  readonly host: string;
  readonly path: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly opaquePart: string;

  constructor(source: string, parts: UrlParts) {
    super();
    this.source = source;
    this.scheme = parts.scheme;
    this.host = parts.host;
    this.path = parts.path;
    this.rawPath = parts.rawPath;
    this.rawQuery = parts.rawQuery;
    this.opaquePart = parts.opaque;
  }

  protected identity(): [string, CelValue] {
    return [this.typeName, this.source];
  }

  toString(): string {
    return this.source;
  }
}

interface UrlParts {
  scheme: string;
  opaque: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
}

type Mode = 'path' | 'host' | 'zone' | 'userinfo' | 'query' | 'fragment';

function shouldEscape(c: number, mode: Mode): boolean {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return false;
  if (mode === 'host' || mode === 'zone') {
    // Sub-delims and the characters of IPv6 literals and zones may appear in a host.
    if ('!$&\'()*+,;=:[]<>"'.includes(String.fromCharCode(c))) return false;
  }
  switch (String.fromCharCode(c)) {
    case '-':
    case '_':
    case '.':
    case '~':
      return false;
    case '$':
    case '&':
    case '+':
    case ',':
    case '/':
    case ':':
    case ';':
    case '=':
    case '?':
    case '@':
      switch (mode) {
        case 'path':
          return c === 0x3f; // '?'
        case 'userinfo':
          return c === 0x40 || c === 0x2f || c === 0x3f || c === 0x3a;
        case 'query':
          return true;
        case 'fragment':
          return false;
        default:
          return false;
      }
  }
  if (mode === 'fragment' && '!()*'.includes(String.fromCharCode(c))) return false;
  return true;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** Go's url.unescape over UTF-8 bytes. */
function unescape(s: string, mode: Mode): string {
  const bytes = Buffer.from(s, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x25) {
      if (i + 2 >= bytes.length || !isHex(bytes[i + 1]!) || !isHex(bytes[i + 2]!)) {
        throw new Error(`invalid URL escape ${JSON.stringify(Buffer.from(bytes.subarray(i, Math.min(i + 3, bytes.length))).toString('latin1'))}`);
      }
      if (mode === 'host' && parseInt(String.fromCharCode(bytes[i + 1]!), 16) < 8 && s.slice(i, i + 3) !== '%25') {
        throw new Error(`invalid URL escape ${JSON.stringify(String.fromCharCode(...bytes.subarray(i, i + 3)))}`);
      }
      i += 2;
    } else if ((mode === 'host' || mode === 'zone') && c < 0x80 && shouldEscape(c, mode)) {
      throw new Error(`invalid character ${JSON.stringify(String.fromCharCode(c))} in host name`);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x25) {
      out.push(parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16));
      i += 2;
    } else if (c === 0x2b && mode === 'query') out.push(0x20);
    else out.push(c);
  }
  return Buffer.from(out).toString('utf8');
}

/** Go's url.escape. */
function escape(s: string, mode: Mode): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    if (shouldEscape(byte, mode)) {
      out += byte === 0x20 && mode === 'query' ? '+' : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    } else out += String.fromCharCode(byte);
  }
  return out;
}

function validEncoded(s: string): boolean {
  for (const byte of Buffer.from(s, 'utf8')) {
    if ("!$&'()*+,;=:@[]%".includes(String.fromCharCode(byte))) continue;
    if (shouldEscape(byte, 'path')) return false;
  }
  return true;
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    if (letter) continue;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === 0x3a) {
      if (i === 0) throw new Error('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    // A character that cannot be in a scheme: there is none.
    return ['', raw];
  }
  return ['', raw];
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  if (port[0] !== ':') return false;
  return /^[0-9]*$/.test(port.slice(1));
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${JSON.stringify(colonPort)} after host`);
    const zone = host.slice(0, close).indexOf('%25');
    if (zone >= 0) {
      const head = unescape(host.slice(0, zone), 'host');
      const zonePart = unescape(host.slice(zone, close), 'zone');
      const tail = unescape(host.slice(close), 'host');
      return head + zonePart + tail;
    }
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) {
      const colonPort = host.slice(colon);
      if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${JSON.stringify(colonPort)} after host`);
    }
  }
  return unescape(host, 'host');
}

function validUserinfo(s: string): boolean {
  for (const ch of s) {
    if (/[A-Za-z0-9]/.test(ch)) continue;
    if ("-._:~!$&'()*+,;=%@".includes(ch)) continue;
    return false;
  }
  return true;
}

function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!validUserinfo(userinfo)) throw new Error('net/url: invalid userinfo');
    if (userinfo.includes(':')) {
      const colon = userinfo.indexOf(':');
      unescape(userinfo.slice(0, colon), 'userinfo');
      unescape(userinfo.slice(colon + 1), 'userinfo');
    } else unescape(userinfo, 'userinfo');
  }
  return host;
}

/** Go's url.parse(rawURL, viaRequest). */
function parse(raw: string, viaRequest: boolean): UrlParts {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new Error('net/url: invalid control character in URL');
  if (raw === '' && viaRequest) throw new Error('empty url');
  const parts: UrlParts = { scheme: '', opaque: '', host: '', path: '', rawPath: '', rawQuery: '' };
  if (raw === '*') {
    parts.path = '*';
    return parts;
  }
  let [scheme, rest] = getScheme(raw);
  parts.scheme = scheme.toLowerCase();
  if (rest.endsWith('?') && rest.split('?').length === 2) rest = rest.slice(0, -1);
  else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      parts.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (parts.scheme !== '') {
      parts.opaque = rest;
      return parts;
    }
    if (viaRequest) throw new Error('invalid URI for request');
    const colon = rest.indexOf(':');
    const slash = rest.indexOf('/');
    if (colon >= 0 && (slash < 0 || colon < slash)) throw new Error('first path segment in URL cannot contain colon');
  }
  if ((parts.scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    const slash = authority.indexOf('/');
    rest = slash >= 0 ? authority.slice(slash) : '';
    authority = slash >= 0 ? authority.slice(0, slash) : authority;
    parts.host = parseAuthority(authority);
  } else if (parts.scheme !== '' && rest.startsWith('/')) {
    // An absolute path after a scheme, without an authority.
  }
  parts.path = unescape(rest, 'path');
  parts.rawPath = escape(parts.path, 'path') === rest ? '' : rest;
  return parts;
}

function escapedPath(u: Url): string {
  if (u.rawPath !== '' && validEncoded(u.rawPath)) {
    try {
      if (unescape(u.rawPath, 'path') === u.path) return u.rawPath;
    } catch {
      // fall through to escaping the decoded path
    }
  }
  if (u.path === '*') return '*';
  return escape(u.path, 'path');
}

function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && validOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, port];
}

/** Go's url.ParseQuery, skipping pairs it rejects (bad escapes, semicolons) as u.Query() does. */
function query(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pair of raw.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq >= 0 ? pair.slice(0, eq) : pair;
    const rawValue = eq >= 0 ? pair.slice(eq + 1) : '';
    let key: string;
    let value: string;
    try {
      key = unescape(rawKey, 'query');
      value = unescape(rawValue, 'query');
    } catch {
      continue;
    }
    const values = out.get(key);
    if (values === undefined) out.set(key, [value]);
    else values.push(value);
  }
  return out;
}

export function parseUrl(raw: string): Url {
  try {
    parse(raw, true);
  } catch (error) {
    throw new Error(`URL parse error during conversion from string: parse ${JSON.stringify(raw)}: ${(error as Error).message}`);
  }
  const hash = raw.indexOf('#');
  return new Url(raw, parse(hash >= 0 ? raw.slice(0, hash) : raw, false));
}

function isUrl(raw: string): boolean {
  try {
    parse(raw, true);
    return true;
  } catch {
    return false;
  }
}

/** The message ParseRequestURI gives for an invalid URI, or null when it is valid (format.uri()). */
export function requestUriError(raw: string): string | null {
  try {
    parse(raw, true);
    return null;
  } catch (error) {
    return `parse ${JSON.stringify(raw)}: ${(error as Error).message}`;
  }
}

const isUrlValue = opaque(Url);
const url = (v: CelValue): Url => v as unknown as Url;

export const urlFunctions: CelFunc[] = [
  globalFn('url', [isString], (s) => asCel(parseUrl(s as string))),
  globalFn('isURL', [isString], (s) => isUrl(s as string)),
  memberFn('getScheme', isUrlValue, [], (u) => url(u).scheme),
  memberFn('getHost', isUrlValue, [], (u) => url(u).host),
  memberFn('getHostname', isUrlValue, [], (u) => splitHostPort(url(u).host)[0]),
  memberFn('getPort', isUrlValue, [], (u) => splitHostPort(url(u).host)[1]),
  memberFn('getEscapedPath', isUrlValue, [], (u) => escapedPath(url(u))),
  memberFn('getQuery', isUrlValue, [], (u) => {
    const entries = new Map<string, CelValue>();
    for (const [key, values] of query(url(u).rawQuery)) entries.set(key, listOf(values));
    return mapOf(entries);
  }),
];
