import { failure, type TrustFailure } from '../errors.ts';
import { OID, type Certificate } from './certificate.ts';

export interface ChainOptions {
  /** Trust anchors: a path must end at one of these. */
  roots: readonly Certificate[];
  /** Intermediates the verifier trusts to build paths with (they still need a root above them). */
  intermediates: readonly Certificate[];
  /** When the signature was made: every certificate on the path must be valid then. */
  at: Date;
  /** The leaf must carry this extended key usage (code signing for signatures). */
  requiredEku?: string;
}

export type ChainResult = { ok: true; path: Certificate[] } | { ok: false; failure: TrustFailure };

const MAX_DEPTH = 8;
/** Bounds path search over adversarial intermediates (many certificates with the same subject). */
const MAX_SIGNATURE_CHECKS = 64;

/**
 * Validates a leaf certificate up to a trust anchor (RFC 5280 path validation, the parts that matter
 * for code signing): signatures, validity at signing time, CA and key-usage flags, path length
 * constraints, extended key usage nesting, and refusal of unknown critical extensions.
 * `untrusted` are certificates shipped with the signature: usable to build the path, never as anchors.
 */
export function validateChain(leaf: Certificate, untrusted: readonly Certificate[], options: ChainOptions): ChainResult {
  const leafProblem = checkLeaf(leaf, options);
  if (leafProblem !== undefined) return { ok: false, failure: leafProblem };
  const rootSet = new Set(options.roots.map((root) => root.fingerprint));
  const pool = dedupe([...options.roots, ...options.intermediates, ...untrusted]);
  const budget = { checks: 0 };
  let lastProblem: TrustFailure = failure('certificate-chain', `no trusted root issued the certificate of ${describe(leaf)} (issuer: ${leaf.issuer || '(empty)'})`);
  const search = (path: Certificate[]): Certificate[] | undefined => {
    const current = path[path.length - 1]!;
    if (rootSet.has(current.fingerprint)) return path;
    if (path.length > MAX_DEPTH) return undefined;
    for (const candidate of pool) {
      if (!candidate.subjectDer.equals(current.issuerDer)) continue;
      if (path.some((member) => member.fingerprint === candidate.fingerprint)) continue;
      if (++budget.checks > MAX_SIGNATURE_CHECKS) return undefined;
      if (!signedBy(current, candidate)) continue;
      const problem = checkIssuer(candidate, path.length - 1, options);
      if (problem !== undefined) {
        lastProblem = problem;
        continue;
      }
      const found = search([...path, candidate]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const path = search([leaf]);
  if (path === undefined) return { ok: false, failure: lastProblem };
  return { ok: true, path };
}

function checkLeaf(leaf: Certificate, options: ChainOptions): TrustFailure | undefined {
  const validity = checkValidity(leaf, options.at);
  if (validity !== undefined) return validity;
  if (leaf.unknownCritical.length > 0) return failure('certificate-usage', `${describe(leaf)} has unsupported critical extensions ${leaf.unknownCritical.join(', ')}`);
  if (leaf.isCA) return failure('certificate-usage', `${describe(leaf)} is a CA certificate, not a signing certificate`);
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.digitalSignature) {
    return failure('certificate-usage', `${describe(leaf)} does not allow digital signatures (key usage)`);
  }
  if (options.requiredEku !== undefined && !(leaf.extKeyUsage ?? []).includes(options.requiredEku)) {
    return failure('certificate-usage', `${describe(leaf)} lacks the ${ekuName(options.requiredEku)} extended key usage`);
  }
  return undefined;
}

/** `below` = how many non-self-issued intermediates sit between this issuer and the leaf. */
function checkIssuer(issuer: Certificate, below: number, options: ChainOptions): TrustFailure | undefined {
  const validity = checkValidity(issuer, options.at);
  if (validity !== undefined) return validity;
  if (issuer.unknownCritical.length > 0) return failure('certificate-usage', `${describe(issuer)} has unsupported critical extensions ${issuer.unknownCritical.join(', ')}`);
  if (!issuer.isCA) return failure('certificate-chain', `${describe(issuer)} issued a certificate but is not a CA (basic constraints)`);
  if (issuer.keyUsage !== undefined && !issuer.keyUsage.keyCertSign) {
    return failure('certificate-usage', `${describe(issuer)} may not sign certificates (key usage lacks keyCertSign)`);
  }
  if (issuer.pathLength !== undefined && below > issuer.pathLength) {
    return failure('certificate-chain', `${describe(issuer)} allows ${issuer.pathLength} intermediate(s) below it, the path has ${below}`);
  }
  // A CA restricted to other usages may not vouch for code signing (EKU nesting, as Go and Windows apply it).
  if (options.requiredEku !== undefined && issuer.extKeyUsage !== undefined) {
    const allowed = issuer.extKeyUsage.includes(options.requiredEku) || issuer.extKeyUsage.includes(OID.anyExtendedKeyUsage);
    if (!allowed) return failure('certificate-usage', `${describe(issuer)} is restricted to other extended key usages than ${ekuName(options.requiredEku)}`);
  }
  return undefined;
}

function checkValidity(cert: Certificate, at: Date): TrustFailure | undefined {
  if (at < cert.notBefore) return failure('certificate-validity', `${describe(cert)} is not valid before ${cert.notBefore.toISOString()} (signing time ${at.toISOString()})`);
  if (at > cert.notAfter) return failure('certificate-validity', `${describe(cert)} expired at ${cert.notAfter.toISOString()} (signing time ${at.toISOString()})`);
  return undefined;
}

function signedBy(child: Certificate, issuer: Certificate): boolean {
  try {
    return child.node.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function dedupe(certs: readonly Certificate[]): Certificate[] {
  const seen = new Set<string>();
  return certs.filter((cert) => !seen.has(cert.fingerprint) && seen.add(cert.fingerprint) !== undefined);
}

function describe(cert: Certificate): string {
  return `certificate "${cert.subject || [...cert.emails, ...cert.uris].join(', ') || cert.fingerprint.slice(0, 16)}"`;
}

function ekuName(oid: string): string {
  return oid === OID.codeSigning ? 'codeSigning' : oid;
}
