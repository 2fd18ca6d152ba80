import { isRecord, parseJson } from '../encoding/json.ts';
import { BulwarkError } from '../../core/index.ts';
import { parseError } from '../errors.ts';
import { limits } from '../limits.ts';

export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
/** cosign still writes v0.1 statements; both are read. */
export const STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';
/** The predicate of cosign's (v3) bundle-format image signatures: a statement that signs nothing but the subject. */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

/** Short names accepted by `--type`, the same as cosign's so scripts carry over. */
export const predicateTypes: Readonly<Record<string, string>> = {
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  link: 'https://in-toto.io/Link/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
  custom: 'https://cosign.sigstore.dev/attestation/v1',
};

/** A short name or a URI → the predicate type URI. */
export function predicateTypeUri(type: string): string {
  const known = predicateTypes[type];
  if (known !== undefined) return known;
  if (/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(type)) return type;
  throw new BulwarkError('E_USAGE', `unknown predicate type "${type}": use ${Object.keys(predicateTypes).join(', ')} or a URI`);
}

export interface Subject {
  name: string;
  digest: Record<string, string>;
}

export interface Statement {
  type: string;
  subject: Subject[];
  predicateType: string;
  predicate: unknown;
}

const MAX_SUBJECTS = 1024;

export function buildStatement(subject: Subject[], predicateType: string, predicate: unknown): Buffer {
  return Buffer.from(JSON.stringify({ _type: STATEMENT_V1, subject, predicateType, predicate }));
}

export function parseStatement(bytes: Uint8Array, what: string): Statement {
  const document = parseJson(bytes, what, limits.attestationBlobBytes);
  if (!isRecord(document)) throw parseError(what, 'an in-toto statement must be a JSON object');
  const type = document._type;
  if (type !== STATEMENT_V1 && type !== STATEMENT_V01) throw parseError(what, `"_type" must be ${STATEMENT_V1}, not ${JSON.stringify(type)}`);
  if (typeof document.predicateType !== 'string' || document.predicateType === '') throw parseError(what, '"predicateType" must be a non-empty string');
  if (!Array.isArray(document.subject) || document.subject.length === 0) throw parseError(what, '"subject" must be a non-empty array');
  if (document.subject.length > MAX_SUBJECTS) throw parseError(what, `more than ${MAX_SUBJECTS} subjects`);
  const subject = document.subject.map((entry: unknown, index: number): Subject => {
    if (!isRecord(entry) || !isRecord(entry.digest)) throw parseError(what, `subject[${index}].digest must be an object`);
    const digest: Record<string, string> = {};
    for (const [algorithm, value] of Object.entries(entry.digest)) {
      if (typeof value !== 'string') throw parseError(what, `subject[${index}].digest.${algorithm} must be a string`);
      digest[algorithm] = value.toLowerCase();
    }
    return { name: typeof entry.name === 'string' ? entry.name : '', digest };
  });
  return { type, subject, predicateType: document.predicateType, predicate: document.predicate ?? null };
}

/** Whether the statement is about the artifact with this `algorithm:hex` digest. */
export function statementCovers(statement: Statement, digest: string): boolean {
  const [algorithm, hex] = digest.split(':');
  return statement.subject.some((subject) => algorithm !== undefined && subject.digest[algorithm] === hex);
}
