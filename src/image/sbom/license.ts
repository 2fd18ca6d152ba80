import { fixupSpdxId } from '@cyclonedx/cyclonedx-library/SPDX';

/** A declared licence, classified for SBOM formats that distinguish ids, expressions and free text. */
export type LicenseChoice = { kind: 'id'; id: string } | { kind: 'expression'; expression: string } | { kind: 'name'; name: string };

const TOKEN = /\s*(\(|\)|[A-Za-z0-9.+:-]+)\s*/y;
const OPERATORS = new Set(['AND', 'OR', 'WITH']);

/**
 * `MIT` → an SPDX id (with SPDX's own spelling: `mit` → `MIT`), `(MIT OR Apache-2.0)` → an expression
 * whose every id is on the SPDX list, anything else → free text. Never throws.
 */
export function classifyLicense(text: string): LicenseChoice {
  const trimmed = text.trim();
  const id = fixupSpdxId(trimmed);
  if (id !== undefined) return { kind: 'id', id };
  const normalised = normaliseExpression(trimmed);
  if (normalised !== null) return { kind: 'expression', expression: normalised };
  return { kind: 'name', name: trimmed };
}

/** The expression with ids in SPDX spelling, or null when it is not a valid SPDX expression. */
export function normaliseExpression(text: string): string | null {
  if (text.length > 1000) return null;
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const match = TOKEN.exec(text);
    if (match === null) return null;
    tokens.push(match[1]!);
  }
  // Grammar check: operand (op operand)*, parentheses balanced, WITH followed by an exception name.
  let depth = 0;
  let expectOperand = true;
  let afterWith = false;
  const out: string[] = [];
  for (const token of tokens) {
    const upper = token.toUpperCase();
    if (token === '(') {
      if (!expectOperand) return null;
      depth++;
      out.push(token);
    } else if (token === ')') {
      if (expectOperand || depth === 0) return null;
      depth--;
      out.push(token);
    } else if (OPERATORS.has(upper)) {
      if (expectOperand) return null;
      expectOperand = true;
      afterWith = upper === 'WITH';
      out.push(upper);
    } else {
      if (!expectOperand) return null;
      if (afterWith) out.push(token);
      else if (/^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/.test(token)) out.push(token);
      else {
        const plus = token.endsWith('+') ? '+' : '';
        const fixed = fixupSpdxId(plus === '' ? token : token.slice(0, -1));
        if (fixed === undefined) return null;
        out.push(`${fixed}${plus}`);
      }
      expectOperand = false;
      afterWith = false;
    }
  }
  if (expectOperand || depth !== 0 || out.length === 0) return null;
  // One pair of parentheses around everything says nothing.
  if (out[0] === '(' && out[out.length - 1] === ')' && closesAtEnd(out)) {
    out.shift();
    out.pop();
  }
  return out.join(' ').replaceAll('( ', '(').replaceAll(' )', ')');
}

function closesAtEnd(tokens: string[]): boolean {
  let depth = 0;
  for (const [i, token] of tokens.entries()) {
    if (token === '(') depth++;
    else if (token === ')' && --depth === 0) return i === tokens.length - 1;
  }
  return false;
}
