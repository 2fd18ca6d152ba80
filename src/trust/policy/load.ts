// Reads an image trust policy file (YAML or JSON) into compiled authorities and rules, resolving key,
// certificate and trusted-root files relative to the policy file.
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../config/errors.ts';
import { parseYamlStream } from '../../load/yaml.ts';
import { readBoundedFile } from '../keys/file-provider.ts';
import { parsePublicKeys, type PublicKeyRef } from '../keys/public-key.ts';
import { limits } from '../limits.ts';
import { parseTrustedRoot, publicGoodTrustedRoot, type SigstoreTrust } from '../formats/trusted-root.ts';
import { predicateTypeUri } from '../formats/intoto.ts';
import { parseCertificatesPem, type Certificate } from '../x509/certificate.ts';
import { compilePattern, type IdentityMatcher } from '../x509/identity.ts';
import { checkAuthority, type Authority } from '../verify/authority.ts';
import type { PredicateCondition } from '../verify/conditions.ts';
import { parsePath } from '../verify/conditions.ts';
import type { ImagePolicy } from '../verify/image.ts';
import { compileImageGlob } from './glob.ts';
import { policyFileSchema, type PolicyAuthority, type PolicyFile } from './schema.ts';

export interface CompiledRule {
  name: string;
  images: RegExp[];
  action: 'verify' | 'allow' | 'deny';
  policy: ImagePolicy;
}

export interface TrustPolicy {
  file: string;
  rules: CompiledRule[];
  defaultAction: 'allow' | 'deny';
}

export type PolicyDecision =
  | { action: 'verify'; rule: string; policy: ImagePolicy }
  | { action: 'allow' | 'deny'; rule: string | undefined };

export async function loadTrustPolicy(file: string): Promise<TrustPolicy> {
  const text = (await readBoundedFile(file, 'trust policy', limits.documentBytes)).toString('utf8');
  return parseTrustPolicy(text, file, dirname(resolve(file)));
}

export async function parseTrustPolicy(text: string, file: string, baseDir: string): Promise<TrustPolicy> {
  const outcome = parseYamlStream(text, file);
  if (outcome.errors.length > 0) throw new ConfigError(outcome.errors.map((error) => ({ location: error.location ?? { file }, message: error.message })));
  const root = outcome.documents[0];
  if (root === undefined || outcome.documents.length !== 1) throw new ConfigError([{ location: { file }, message: 'a trust policy is one YAML or JSON document' }]);
  const result = policyFileSchema.safeParse(root.value);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.flatMap((issue) => {
        const path = issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
        const located = (at: Array<string | number>, message: string) => {
          const position = root.positions.locate(at);
          return { location: { file, line: position.line, column: position.column }, message: `${at.join('.') || 'the top level'}: ${message}` };
        };
        // An unknown key is reported where it is written, so a typo points at itself.
        if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => located([...path, key], 'unknown key'));
        return [located(path, issue.message)];
      }),
    );
  }
  const at = (path: Array<string | number>): { file: string; line: number; column: number } => {
    const position = root.positions.locate(path);
    return { file, line: position.line, column: position.column };
  };
  const fail = (path: Array<string | number>, message: string): never => {
    throw new ConfigError([{ location: at(path), message: `${path.join('.')}: ${message}` }]);
  };
  const data: PolicyFile = result.data;
  const id = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const authorities = new Map<string, Authority>();
  for (const [index, entry] of data.authorities.entries()) {
    if (authorities.has(entry.name)) fail(['authorities', index, 'name'], `the name "${entry.name}" is used twice`);
    try {
      authorities.set(entry.name, checkAuthority(await compileAuthority(entry, baseDir)));
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      fail(['authorities', index], error instanceof Error ? error.message : String(error));
    }
  }
  const all = [...authorities.values()];
  const known = (names: readonly string[] | undefined, path: Array<string | number>): string[] | undefined => {
    for (const [index, name] of (names ?? []).entries()) if (!authorities.has(name)) fail([...path, index], `no authority is named "${name}"`);
    return names === undefined ? undefined : [...names];
  };
  const rules = data.rules.map((rule, index): CompiledRule => {
    const name = rule.name ?? `rules[${index}]`;
    const images = rule.images.map((glob, globIndex) => {
      try {
        return compileImageGlob(glob, name);
      } catch (error) {
        return fail(['rules', index, 'images', globIndex], (error as Error).message);
      }
    });
    const signatureAuthorities = known(rule.signatures?.authorities, ['rules', index, 'signatures', 'authorities']);
    const attestations = (rule.attestations ?? []).map((requirement, requirementIndex) => {
      const path = ['rules', index, 'attestations', requirementIndex];
      let predicateType = '';
      try {
        predicateType = predicateTypeUri(requirement.type);
      } catch (error) {
        fail([...path, 'type'], (error as Error).message);
      }
      const conditions = (requirement.conditions ?? []).map((condition, conditionIndex): PredicateCondition => {
        try {
          parsePath(condition.path, 'condition');
          if ('matches' in condition) return { path: condition.path, matches: compilePattern(condition.matches, 'matches') };
          return condition as PredicateCondition;
        } catch (error) {
          return fail([...path, 'conditions', conditionIndex], (error as Error).message);
        }
      });
      const compiled: ImagePolicy['attestations'][number] = { name: requirement.name ?? requirement.type, predicateType, conditions };
      const from = known(requirement.authorities, [...path, 'authorities']);
      return from === undefined ? compiled : { ...compiled, authorities: from };
    });
    const signatures: ImagePolicy['signatures'] = { minimum: rule.signatures?.minimum ?? 1 };
    if (signatureAuthorities !== undefined) signatures.authorities = signatureAuthorities;
    if (signatures.minimum > (signatureAuthorities ?? all).length) fail(['rules', index, 'signatures', 'minimum'], `asks for ${signatures.minimum} authorities but names only ${(signatureAuthorities ?? all).length}`);
    return { name, images, action: rule.action ?? 'verify', policy: { id: `${id}/${name}`, authorities: all, signatures, attestations } };
  });
  return { file, rules, defaultAction: data.defaultAction ?? 'deny' };
}

/** The rule for an image (`registry/repository`): the first that matches, else the default action. */
export function decide(policy: TrustPolicy, repository: string): PolicyDecision {
  const rule = policy.rules.find((candidate) => candidate.images.some((pattern) => pattern.test(repository)));
  if (rule === undefined) return { action: policy.defaultAction, rule: undefined };
  if (rule.action === 'verify') return { action: 'verify', rule: rule.name, policy: rule.policy };
  return { action: rule.action, rule: rule.name };
}

async function compileAuthority(entry: PolicyAuthority, baseDir: string): Promise<Authority> {
  const keys: PublicKeyRef[] = [];
  for (const key of entry.keys ?? []) keys.push(...(await readPem(key, baseDir, (text, source) => parsePublicKeys(text, source))));
  const authority: Authority = { name: entry.name, keys, identities: (entry.identities ?? []).map(compileIdentity) };
  if (entry.ca !== undefined) {
    const roots: Certificate[] = [];
    const intermediates: Certificate[] = [];
    for (const root of entry.ca.roots) roots.push(...(await readPem(root, baseDir, parseCertificatesPem)));
    for (const intermediate of entry.ca.intermediates ?? []) intermediates.push(...(await readPem(intermediate, baseDir, parseCertificatesPem)));
    authority.ca = { roots, intermediates };
    if (entry.ca.transparencyLogs !== undefined) authority.transparency = await loadRoot(entry.ca.transparencyLogs, baseDir);
  }
  if (entry.sigstore !== undefined) {
    const trust = await loadRoot(entry.sigstore.trustedRoot, baseDir);
    authority.sigstore = {
      trust,
      tlogThreshold: entry.sigstore.tlogThreshold ?? 1,
      ctlogThreshold: entry.sigstore.ctlogThreshold ?? 1,
      timestampThreshold: entry.sigstore.timestampThreshold ?? 1,
    };
  }
  return authority;
}

async function loadRoot(value: string, baseDir: string): Promise<SigstoreTrust> {
  if (value === 'public-good') return publicGoodTrustedRoot();
  return parseTrustedRoot(await readBoundedFile(resolve(baseDir, value), 'trusted root', limits.documentBytes), value);
}

function compileIdentity(entry: NonNullable<PolicyAuthority['identities']>[number]): IdentityMatcher {
  const matcher: IdentityMatcher = {};
  if (entry.subject !== undefined) matcher.subject = entry.subject;
  if (entry.subjectRegExp !== undefined) matcher.subjectRegExp = compilePattern(entry.subjectRegExp, 'subjectRegExp');
  if (entry.issuer !== undefined) matcher.issuer = entry.issuer;
  if (entry.issuerRegExp !== undefined) matcher.issuerRegExp = compilePattern(entry.issuerRegExp, 'issuerRegExp');
  return matcher;
}

/** Inline PEM (starts with `-----BEGIN`) or a file path relative to the policy. */
async function readPem<T>(value: string, baseDir: string, parse: (text: string, source: string) => T[]): Promise<T[]> {
  if (value.trimStart().startsWith('-----BEGIN')) return parse(value, 'inline PEM');
  const path = resolve(baseDir, value);
  return parse((await readBoundedFile(path, 'PEM file')).toString('utf8'), value);
}
