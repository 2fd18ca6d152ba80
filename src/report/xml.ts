/**
 * XML 1.0 text and attribute escaping. Characters XML 1.0 forbids outright (most C0 controls,
 * U+FFFE, U+FFFF, unpaired surrogates) cannot be written even as character references, so they
 * become U+FFFD, the Unicode replacement character. Tab, newline and carriage return are kept in
 * text and written as references in attributes, where a parser would otherwise turn them into spaces.
 */

const REPLACEMENT = '\uFFFD';

// With the `u` flag a well-formed surrogate pair is one code point, so only lone halves match.
const TEXT_SPECIAL = /[&<>\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]|\r/gu;
const ATTRIBUTE_SPECIAL = /[&<>"'\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;

// The same sets matching any surrogate, paired or not: a cheaper first look that lets the common
// text without any special character through untouched (a large report escapes tens of thousands
// of strings).
const MAY_NEED_TEXT_ESCAPE = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;
const MAY_NEED_ATTRIBUTE_ESCAPE = /[&<>"'\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

function replace(character: string): string {
  return ENTITIES[character] ?? REPLACEMENT;
}

/** Element content. `\r` is written as a reference because parsers normalise a raw one to `\n`. */
export function escapeText(text: string): string {
  return MAY_NEED_TEXT_ESCAPE.test(text) ? text.replace(TEXT_SPECIAL, replace) : text;
}

export function escapeAttribute(text: string): string {
  return MAY_NEED_ATTRIBUTE_ESCAPE.test(text) ? text.replace(ATTRIBUTE_SPECIAL, replace) : text;
}
