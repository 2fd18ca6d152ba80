// The configuration files kube-apiserver is started with, built from the options a test passes: an
// EncryptionConfiguration, an audit policy, the kubeconfig the audit webhook is reached with, and the
// static token file. Options may be objects or YAML text; either is checked for its kind here so a
// mistake is reported by name before the API server is started (its own errors are terse).
import { randomBytes } from 'node:crypto';
import { dump, load } from 'js-yaml';
import { BulwarkError } from '../src/core/errors.ts';

/** A YAML or JSON document (text), or the object it would parse to. */
export type ConfigDocument = string | Record<string, unknown>;

const MAX_DOCUMENT_BYTES = 1024 * 1024;

/**
 * The document as text the API server can read, after checking it is a mapping of `kind` in one of
 * `apiVersions`. `what` names the option in error messages.
 */
export function configDocument(input: ConfigDocument, what: string, kind: string, apiVersions: readonly string[]): string {
  let parsed: unknown = input;
  if (typeof input === 'string') {
    if (input.length > MAX_DOCUMENT_BYTES) throw new BulwarkError('E_TOO_LARGE', `${what}: larger than ${MAX_DOCUMENT_BYTES} bytes`);
    try {
      parsed = load(input);
    } catch (error) {
      throw new BulwarkError('E_PARSE', `${what}: not valid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BulwarkError('E_INPUT', `${what}: expected a ${kind} object`);
  }
  const object = parsed as Record<string, unknown>;
  if (object.kind !== kind) {
    throw new BulwarkError('E_INPUT', `${what}: expected kind ${kind}, found ${JSON.stringify(object.kind ?? null).slice(0, 80)}`);
  }
  if (typeof object.apiVersion !== 'string' || !apiVersions.includes(object.apiVersion)) {
    throw new BulwarkError('E_INPUT', `${what}: apiVersion must be one of ${apiVersions.join(', ')}, found ${JSON.stringify(object.apiVersion ?? null).slice(0, 80)}`);
  }
  // Given text is written unchanged (its comments and layout are the author's); objects become JSON,
  // which is YAML the API server reads.
  return typeof input === 'string' ? input : `${JSON.stringify(object, null, 2)}\n`;
}

export const ENCRYPTION_API_VERSIONS = ['apiserver.config.k8s.io/v1'] as const;
export const AUDIT_POLICY_API_VERSIONS = ['audit.k8s.io/v1'] as const;

export type EncryptionProvider = 'aescbc' | 'aesgcm' | 'secretbox';

/**
 * An EncryptionConfiguration that encrypts `resources` (default: secrets) with a fresh random key of
 * `provider`, keeping `identity` as the fallback so data written before can still be read.
 */
export function encryptionConfiguration(provider: EncryptionProvider = 'aescbc', resources: readonly string[] = ['secrets']): Record<string, unknown> {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [
      {
        resources: [...resources],
        providers: [{ [provider]: { keys: [{ name: 'key1', secret: randomBytes(32).toString('base64') }] } }, { identity: {} }],
      },
    ],
  };
}

/** Records every request at Metadata level: who did what to which object, no bodies. */
export const METADATA_AUDIT_POLICY: Record<string, unknown> = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  omitStages: ['RequestReceived'],
  rules: [{ level: 'Metadata' }],
};

export interface AuditWebhookTarget {
  /** HTTPS (or loopback HTTP) URL that receives `audit.k8s.io/v1` EventList batches by POST. */
  url: string;
  /** PEM CA the receiver's serving certificate is signed by; needed for https URLs. */
  ca?: string;
}

/** The kubeconfig `--audit-webhook-config-file` expects: the receiver is its "cluster". */
export function auditWebhookKubeconfig(target: AuditWebhookTarget): string {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    throw new BulwarkError('E_USAGE', `audit webhook url is not a URL: ${JSON.stringify(target.url).slice(0, 120)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BulwarkError('E_USAGE', `audit webhook url must be http(s), found ${url.protocol}`);
  }
  if (url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new BulwarkError('E_USAGE', 'audit webhook url: plain http is only accepted on loopback; use https with a CA');
  }
  const cluster: Record<string, unknown> = { server: target.url };
  if (target.ca !== undefined) cluster['certificate-authority-data'] = Buffer.from(target.ca, 'utf8').toString('base64');
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'audit-sink', cluster }],
    users: [{ name: 'kube-apiserver', user: {} }],
    contexts: [{ name: 'audit', context: { cluster: 'audit-sink', user: 'kube-apiserver' } }],
    'current-context': 'audit',
  });
}

export interface StaticTokenUser {
  token: string;
  user: string;
  uid: string;
  groups: readonly string[];
}

/** `--token-auth-file` CSV: token,user,uid,"group1,group2". */
export function tokenFile(users: readonly StaticTokenUser[]): string {
  return users
    .map((entry) => {
      for (const field of [entry.token, entry.user, entry.uid, ...entry.groups]) {
        // The format has no escaping: a comma, quote or newline would silently split a field.
        if (/[",\n\r]/.test(field) || field === '') {
          throw new BulwarkError('E_USAGE', `static token user ${JSON.stringify(entry.user)}: fields must be non-empty without commas, quotes or newlines`);
        }
      }
      const groups = entry.groups.length > 0 ? `,"${entry.groups.join(',')}"` : '';
      return `${entry.token},${entry.user},${entry.uid}${groups}\n`;
    })
    .join('');
}
