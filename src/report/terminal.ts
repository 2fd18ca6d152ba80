/**
 * Text bound for a terminal. Manifests are untrusted: a name or value holding an escape sequence
 * could retitle the window, hide lines or fake output, and bidirectional overrides can make text
 * read differently from what it is. Such characters are shown as visible escapes instead.
 */

// C0 controls, DEL, C1 controls, bidirectional embeddings/overrides/isolates and marks.
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const HAS_UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

export function terminalSafe(text: string): string {
  // Nearly every text is safe; answering without building a new string keeps big reports fast.
  if (!HAS_UNSAFE.test(text) && text.isWellFormed()) return text;
  return text.toWellFormed().replace(UNSAFE, (character) => {
    const named = NAMED[character];
    if (named !== undefined) return named;
    const code = character.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const PRINTABLE_ASCII = /^[\u0020-\u007E]*$/;

/** Columns a string takes on a terminal: wide East Asian characters and emoji take two. */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const character of text) width += charWidth(character.codePointAt(0) as number);
  return width;
}

function charWidth(code: number): number {
  if (
    (code >= 0x0300 && code <= 0x036f) ||
    (code >= 0x1ab0 && code <= 0x1aff) ||
    (code >= 0x1dc0 && code <= 0x1dff) ||
    (code >= 0x200b && code <= 0x200d) ||
    (code >= 0x20d0 && code <= 0x20ff) ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    (code >= 0xfe20 && code <= 0xfe2f)
  ) {
    return 0;
  }
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0x303e) ||
    (code >= 0x3041 && code <= 0x33ff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xa000 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Pads with spaces to `width` columns (never cuts). */
export function padEnd(text: string, width: number): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? text + ' '.repeat(missing) : text;
}

const ELLIPSIS = '…';

/**
 * Breaks `text` into lines of at most `width` columns, at spaces where it can and inside a word
 * only when the word alone is too wide. Past `maxLines` the last line ends with an ellipsis, so
 * one runaway message cannot flood the screen.
 */
export function wrap(text: string, width: number, maxLines: number): string[] {
  if (!text.includes('  ') && !text.startsWith(' ') && !text.endsWith(' ') && displayWidth(text) <= width) return [text];
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  const flush = (): void => {
    lines.push(line);
    line = '';
    lineWidth = 0;
  };
  for (const word of text.split(' ')) {
    if (lines.length > maxLines) break;
    if (word === '') continue;
    const wordWidth = displayWidth(word);
    if (lineWidth > 0 && lineWidth + 1 + wordWidth <= width) {
      line += ` ${word}`;
      lineWidth += 1 + wordWidth;
      continue;
    }
    if (lineWidth > 0) flush();
    if (wordWidth <= width) {
      line = word;
      lineWidth = wordWidth;
      continue;
    }
    for (const character of word) {
      const w = charWidth(character.codePointAt(0) as number);
      if (lineWidth + w > width && lineWidth > 0) {
        flush();
        if (lines.length > maxLines) break;
      }
      line += character;
      lineWidth += w;
    }
  }
  if (lineWidth > 0 || lines.length === 0) flush();
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = truncate(kept[maxLines - 1] as string, width);
  return kept;
}

/** Cuts to fit `width` columns including the ellipsis it always appends. */
export function truncate(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const character of text) {
    const w = charWidth(character.codePointAt(0) as number);
    if (used + w > width - 1) break;
    out += character;
    used += w;
  }
  return out + ELLIPSIS;
}
