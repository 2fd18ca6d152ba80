import { limits } from '../limits.ts';
import { parseError, tooLarge } from '../errors.ts';
import { decodeBase64 } from './base64.ts';

export interface PemBlock {
  /** The label between `BEGIN` and the dashes, e.g. `PUBLIC KEY`. */
  type: string;
  /** Header lines (`Proc-Type: …`) of legacy encrypted PEM; present so that callers can refuse them. */
  headers: Record<string, string>;
  bytes: Buffer;
}

const BEGIN = /^-----BEGIN ([A-Z0-9 ]{1,64})-----$/;
const HEADER = /^([A-Za-z0-9-]{1,64}):\s*(.{0,512})$/;

/**
 * Every PEM block in a text, in order. Text outside blocks is ignored (certificate bundles often carry
 * comments); a block that opens and never closes, or whose body is not base64, is an error.
 */
export function parsePem(text: string, what: string): PemBlock[] {
  if (text.length > limits.pemBytes) throw tooLarge(what, text.length, limits.pemBytes);
  const blocks: PemBlock[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const begin = BEGIN.exec(lines[index]!.trim());
    if (begin === null) continue;
    const type = begin[1]!;
    const start = index + 1;
    const headers: Record<string, string> = {};
    const body: string[] = [];
    let closed = false;
    for (index = start; index < lines.length; index++) {
      const line = lines[index]!.trim();
      if (line === `-----END ${type}-----`) {
        closed = true;
        break;
      }
      if (line.startsWith('-----')) throw parseError(what, `PEM block "${type}" starting at line ${start} has a mismatched end "${line}"`);
      const header = body.length === 0 ? HEADER.exec(line) : null;
      if (header !== null) headers[header[1]!] = header[2]!;
      else if (line !== '') body.push(line);
    }
    if (!closed) throw parseError(what, `PEM block "${type}" starting at line ${start} has no END line`);
    const bytes = decodeBase64(body.join(''), `${what}: PEM block "${type}" at line ${start}`);
    if (bytes.length === 0) throw parseError(what, `PEM block "${type}" at line ${start} is empty`);
    blocks.push({ type, headers, bytes });
  }
  return blocks;
}

export function encodePem(type: string, bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let offset = 0; offset < base64.length; offset += 64) lines.push(base64.slice(offset, offset + 64));
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}
