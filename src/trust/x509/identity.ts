import { BulwarkError } from '../../core/index.ts';
import type { Certificate } from './certificate.ts';

/**
 * Who may have signed: a certificate identity (SAN e-mail or URI) given exactly or as a regular
 * expression, and optionally the OIDC issuer recorded in the certificate (Fulcio's extension).
 * Regular expressions are searched, not anchored, as cosign does: write `^…$` to anchor them.
 */
export interface IdentityMatcher {
  subject?: string;
  subjectRegExp?: RegExp;
  issuer?: string;
  issuerRegExp?: RegExp;
}

const MAX_PATTERN = 1024;

export function compilePattern(pattern: string, what: string): RegExp {
  if (pattern.length > MAX_PATTERN) throw new BulwarkError('E_USAGE', `${what}: the regular expression is longer than ${MAX_PATTERN} characters`);
  try {
    return new RegExp(pattern, 'u');
  } catch (error) {
    throw new BulwarkError('E_USAGE', `${what}: invalid regular expression: ${(error as Error).message}`, { cause: error });
  }
}

/** The SAN name through which the certificate satisfies the matcher, or `undefined` when it does not. */
export function matchedIdentity(cert: Certificate, matcher: IdentityMatcher): string | undefined {
  if (matcher.issuer !== undefined && cert.oidcIssuer !== matcher.issuer) return undefined;
  if (matcher.issuerRegExp !== undefined && (cert.oidcIssuer === undefined || !matcher.issuerRegExp.test(cert.oidcIssuer))) return undefined;
  return [...cert.emails, ...cert.uris].find(
    (name) => (matcher.subject === undefined || name === matcher.subject) && (matcher.subjectRegExp === undefined || matcher.subjectRegExp.test(name)),
  );
}

export function matchesIdentity(cert: Certificate, matcher: IdentityMatcher): boolean {
  return matchedIdentity(cert, matcher) !== undefined;
}

export function describeMatcher(matcher: IdentityMatcher): string {
  const parts: string[] = [];
  if (matcher.subject !== undefined) parts.push(`identity "${matcher.subject}"`);
  if (matcher.subjectRegExp !== undefined) parts.push(`identity matching /${matcher.subjectRegExp.source}/`);
  if (matcher.issuer !== undefined) parts.push(`issuer "${matcher.issuer}"`);
  if (matcher.issuerRegExp !== undefined) parts.push(`issuer matching /${matcher.issuerRegExp.source}/`);
  return parts.join(' and ') || 'any identity';
}
