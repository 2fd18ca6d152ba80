// Kubernetes IP and CIDR libraries ("kubernetes.net.ip", "net.cidr"). Parsing is Go's net/netip
// (no leading zeros in IPv4 octets, IPv6 with `::` and an embedded IPv4 tail), with the library's
// extra refusals: zones and IPv4-mapped IPv6 addresses.
import type { CelFunc, CelValue } from '@bufbuild/cel';
import { globalFn, isString, memberFn, opaque } from '../overload.ts';
import { asCel, Opaque } from '../values.ts';

/** An address: 4 or 16 bytes. */
export class IpAddress extends Opaque {
  readonly typeName = 'net.IP';
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    super();
    this.bytes = bytes;
  }

  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }

  protected identity(): [string, CelValue] {
    return [this.typeName, this.toString()];
  }

  toString(): string {
    return formatAddress(this.bytes);
  }
}

export class Cidr extends Opaque {
  readonly typeName = 'net.CIDR';
  readonly address: IpAddress;
  readonly bits: number;

  constructor(address: IpAddress, bits: number) {
    super();
    this.address = address;
    this.bits = bits;
  }

  protected identity(): [string, CelValue] {
    return [this.typeName, this.toString()];
  }

  toString(): string {
    return `${this.address.toString()}/${this.bits}`;
  }

  masked(): Cidr {
    return new Cidr(new IpAddress(maskBytes(this.address.bytes, this.bits)), this.bits);
  }
}

function maskBytes(bytes: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952: the first longest run of two or more zero groups becomes `::`.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.map((g) => g.toString(16)).join(':');
  const head = groups.slice(0, bestStart).map((g) => g.toString(16)).join(':');
  const tail = groups.slice(bestStart + bestLength).map((g) => g.toString(16)).join(':');
  return `${head}::${tail}`;
}

function parseIPv4(s: string, full: string): Uint8Array {
  const out = new Uint8Array(4);
  const fields = s.split('.');
  if (fields.length !== 4) throw new Error(`ParseAddr(${JSON.stringify(full)}): IPv4 address too ${fields.length < 4 ? 'short' : 'long'}`);
  fields.forEach((field, i) => {
    if (field === '') throw new Error(`ParseAddr(${JSON.stringify(full)}): IPv4 field must have at least one digit`);
    if (!/^[0-9]+$/.test(field)) throw new Error(`ParseAddr(${JSON.stringify(full)}): unexpected character`);
    if (field.length > 1 && field[0] === '0') throw new Error(`ParseAddr(${JSON.stringify(full)}): IPv4 field has octet with leading zero`);
    const value = Number(field);
    if (field.length > 3 || value > 255) throw new Error(`ParseAddr(${JSON.stringify(full)}): IPv4 field has value >255`);
    out[i] = value;
  });
  return out;
}

function parseIPv6(text: string, full: string): { bytes: Uint8Array; zone: string } {
  let s = text;
  let zone = '';
  const percent = s.indexOf('%');
  if (percent >= 0) {
    zone = s.slice(percent + 1);
    s = s.slice(0, percent);
    if (zone === '') throw new Error(`ParseAddr(${JSON.stringify(full)}): zone must be a non-empty string`);
  }
  const fail = (why: string): Error => new Error(`ParseAddr(${JSON.stringify(full)}): ${why}`);
  const out = new Uint8Array(16);
  let ellipsis = -1;
  let i = 0;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return { bytes: out, zone };
  }
  while (i < 16) {
    let off = 0;
    let acc = 0;
    while (off < s.length) {
      const c = s.charCodeAt(off);
      const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : c >= 0x41 && c <= 0x46 ? c - 0x41 + 10 : -1;
      if (digit < 0) break;
      if (off > 3) throw fail('each colon-separated field must have at most 4 hex digits');
      acc = acc * 16 + digit;
      off++;
    }
    if (off === 0) throw fail('each colon-separated field must have at least one digit');
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && i !== 12) throw fail('embedded IPv4 address must replace the final 2 fields of the address');
      if (i + 4 > 16) throw fail('too many hex fields to fit an embedded IPv4 at the end of the address');
      const v4 = parseIPv4(s, full);
      out.set(v4, i);
      i += 4;
      s = '';
      break;
    }
    out[i] = acc >> 8;
    out[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s === '') break;
    if (s[0] !== ':') throw fail('unexpected character, want colon');
    if (s.length === 1) throw fail('colon must be followed by more characters');
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) throw fail('multiple :: in address');
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') throw fail('trailing garbage after address');
  if (i < 16) {
    if (ellipsis < 0) throw fail('address string too short');
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) out[j + n] = out[j]!;
    out.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) throw fail('the :: must expand to at least one field of zeros');
  return { bytes: out, zone };
}

function parseAddr(s: string): { bytes: Uint8Array; zone: string } {
  for (let i = 0; i < s.length; i++) {
    switch (s[i]) {
      case '.':
        return { bytes: parseIPv4(s, s), zone: '' };
      case ':':
        return parseIPv6(s, s);
      case '%':
        throw new Error(`ParseAddr(${JSON.stringify(s)}): missing IPv6 address`);
    }
  }
  throw new Error(`ParseAddr(${JSON.stringify(s)}): unable to parse IP`);
}

function isFourInSix(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

export function parseIp(raw: string): IpAddress {
  let parsed: { bytes: Uint8Array; zone: string };
  try {
    parsed = parseAddr(raw);
  } catch (error) {
    throw new Error(`IP Address ${JSON.stringify(raw)} parse error during conversion from string: ${(error as Error).message}`);
  }
  if (parsed.zone !== '') throw new Error(`IP address ${JSON.stringify(raw)} with zone value is not allowed`);
  if (isFourInSix(parsed.bytes)) throw new Error(`IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
  return new IpAddress(parsed.bytes);
}

export function parseCidr(raw: string): Cidr {
  const prefix = 'network address parse error during conversion from string: network address parse error during conversion from string: ';
  const slash = raw.lastIndexOf('/');
  if (slash < 0) throw new Error(`${prefix}netip.ParsePrefix(${JSON.stringify(raw)}): no '/'`);
  let parsed: { bytes: Uint8Array; zone: string };
  try {
    parsed = parseAddr(raw.slice(0, slash));
  } catch (error) {
    throw new Error(`${prefix}netip.ParsePrefix(${JSON.stringify(raw)}): ${(error as Error).message}`);
  }
  if (parsed.zone !== '') throw new Error(`${prefix}netip.ParsePrefix(${JSON.stringify(raw)}): IPv6 zones cannot be present in a prefix`);
  const bitsText = raw.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText)) throw new Error(`${prefix}netip.ParsePrefix(${JSON.stringify(raw)}): bad bits after slash: ${JSON.stringify(bitsText)}`);
  const bits = Number(bitsText);
  const max = parsed.bytes.length * 8;
  if (bits > max) throw new Error(`${prefix}netip.ParsePrefix(${JSON.stringify(raw)}): prefix length out of range`);
  if (isFourInSix(parsed.bytes)) {
    throw new Error(`network address parse error during conversion from string: IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
  }
  return new Cidr(new IpAddress(parsed.bytes), bits);
}

function succeeds(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

function isLoopback(ip: IpAddress): boolean {
  const b = ip.bytes;
  if (b.length === 4) return b[0] === 127;
  return b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
}

function isMulticast(ip: IpAddress): boolean {
  const b = ip.bytes;
  return b.length === 4 ? (b[0]! & 0xf0) === 0xe0 : b[0] === 0xff;
}

function isLinkLocalUnicast(ip: IpAddress): boolean {
  const b = ip.bytes;
  return b.length === 4 ? b[0] === 169 && b[1] === 254 : b[0] === 0xfe && (b[1]! & 0xc0) === 0x80;
}

function isLinkLocalMulticast(ip: IpAddress): boolean {
  const b = ip.bytes;
  return b.length === 4 ? b[0] === 224 && b[1] === 0 && b[2] === 0 : b[0] === 0xff && (b[1]! & 0x0f) === 0x02;
}

function isUnspecified(ip: IpAddress): boolean {
  return ip.bytes.every((x) => x === 0);
}

function isGlobalUnicast(ip: IpAddress): boolean {
  const b = ip.bytes;
  if (b.length === 4 && (isUnspecified(ip) || b.every((x) => x === 255))) return false;
  return !isUnspecified(ip) && !isLoopback(ip) && !isMulticast(ip) && !isLinkLocalUnicast(ip);
}

function contains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.address.bytes.length !== ip.bytes.length) return false;
  return sameBytes(maskBytes(cidr.address.bytes, cidr.bits), maskBytes(ip.bytes, cidr.bits));
}

/**
 * The API server compares the masked receiver with the other prefix's address *unmasked* at the
 * receiver's length, so a contained prefix must start exactly at the receiver's network address.
 */
function containsCidr(cidr: Cidr, other: Cidr): boolean {
  const masked = cidr.masked();
  return sameBytes(masked.address.bytes, other.address.bytes) && cidr.bits <= other.bits;
}

const isIpValue = opaque(IpAddress);
const isCidrValue = opaque(Cidr);
const ipOf = (v: CelValue): IpAddress => v as unknown as IpAddress;
const cidrOf = (v: CelValue): Cidr => v as unknown as Cidr;

export const ipFunctions: CelFunc[] = [
  globalFn('ip', [isString], (s) => asCel(parseIp(s as string))),
  globalFn('isIP', [isString], (s) => succeeds(() => parseIp(s as string))),
  globalFn('ip.isCanonical', [isString], (s) => parseIp(s as string).toString() === s),
  globalFn('string', [isIpValue], (ip) => ipOf(ip).toString()),
  memberFn('family', isIpValue, [], (ip) => BigInt(ipOf(ip).family)),
  memberFn('isUnspecified', isIpValue, [], (ip) => isUnspecified(ipOf(ip))),
  memberFn('isLoopback', isIpValue, [], (ip) => isLoopback(ipOf(ip))),
  memberFn('isLinkLocalMulticast', isIpValue, [], (ip) => isLinkLocalMulticast(ipOf(ip))),
  memberFn('isLinkLocalUnicast', isIpValue, [], (ip) => isLinkLocalUnicast(ipOf(ip))),
  memberFn('isGlobalUnicast', isIpValue, [], (ip) => isGlobalUnicast(ipOf(ip))),
  globalFn('cidr', [isString], (s) => asCel(parseCidr(s as string))),
  globalFn('isCIDR', [isString], (s) => succeeds(() => parseCidr(s as string))),
  globalFn('string', [isCidrValue], (c) => cidrOf(c).toString()),
  memberFn('containsIP', isCidrValue, [isString], (c, s) => contains(cidrOf(c), parseIp(s as string))),
  memberFn('containsIP', isCidrValue, [isIpValue], (c, ip) => contains(cidrOf(c), ipOf(ip))),
  memberFn('containsCIDR', isCidrValue, [isString], (c, s) => containsCidr(cidrOf(c), parseCidr(s as string))),
  memberFn('containsCIDR', isCidrValue, [isCidrValue], (c, o) => containsCidr(cidrOf(c), cidrOf(o))),
  memberFn('ip', isCidrValue, [], (c) => asCel(cidrOf(c).address)),
  memberFn('prefixLength', isCidrValue, [], (c) => BigInt(cidrOf(c).bits)),
  memberFn('masked', isCidrValue, [], (c) => asCel(cidrOf(c).masked())),
];
