// The webhook's configuration file (`bulwark admission serve --config FILE`). Everything is optional:
// an empty file, or none, enforces Pod Security baseline and warns on restricted everywhere but the
// excluded namespaces.
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { BulwarkError } from '../core/index.ts';
import { isPssVersion, type PssVersion } from '../pss/index.ts';
import { parseYamlStream } from '../load/yaml.ts';
import { ioReason } from '../core/io-reason.ts';

export const MODES = ['enforce', 'warn', 'audit', 'off'] as const;
export type Mode = (typeof MODES)[number];
export type FailurePolicy = 'Fail' | 'Ignore';
export type RuleName = 'pod-security' | 'catalog' | 'policies' | 'images' | 'signatures';

const mode = z.enum(MODES);
const failurePolicy = z.enum(['Fail', 'Ignore']);
const level = z.enum(['privileged', 'baseline', 'restricted']);
const version = z.string().refine((value) => isPssVersion(value), { message: 'must be "latest" or a Kubernetes minor version such as v1.30' }).transform((value) => value as PssVersion);
const namespaceModes = z.record(z.string(), mode).default({});

const schema = z
  .object({
    apiVersion: z.literal('bulwark.dev/v1alpha1').optional(),
    kind: z.literal('AdmissionConfiguration').optional(),
    excludedNamespaces: z.array(z.string()).default(['kube-system', 'kube-node-lease']),
    exemptions: z
      .object({
        namespaces: z.array(z.string()).default([]),
        users: z.array(z.string()).default([]),
        groups: z.array(z.string()).default([]),
        /** `namespace/name`. */
        serviceAccounts: z.array(z.string().regex(/^[^/]+\/[^/]+$/, 'must be namespace/name')).default([]),
      })
      .strict()
      .default({ namespaces: [], users: [], groups: [], serviceAccounts: [] }),
    podSecurity: z
      .object({
        enforce: level.default('baseline'),
        enforceVersion: version.default('latest'),
        warn: level.default('restricted'),
        warnVersion: version.default('latest'),
        audit: level.default('restricted'),
        auditVersion: version.default('latest'),
        failurePolicy: failurePolicy.default('Fail'),
      })
      .strict()
      .prefault({}),
    catalog: z
      .object({
        mode: mode.default('off'),
        /** Control ids; absent: every per-object control outside Pod Security. */
        controls: z.array(z.string()).optional(),
        disabled: z.array(z.string()).default([]),
        failurePolicy: failurePolicy.default('Ignore'),
        namespaces: namespaceModes,
      })
      .strict()
      .prefault({}),
    policies: z
      .object({
        /** Files or directories of ValidatingAdmissionPolicies and bindings. */
        paths: z.array(z.string()).default([]),
        /** `enforce` follows each binding's validationActions; warn/audit cap Deny to that. */
        mode: mode.default('enforce'),
        namespaces: namespaceModes,
      })
      .strict()
      .prefault({}),
    images: z
      .object({
        mode: mode.default('enforce'),
        /** Registry hosts or `host/path` prefixes; empty: any registry. */
        allowedRegistries: z.array(z.string()).default([]),
        requireDigest: z.boolean().default(false),
        namespaces: namespaceModes,
      })
      .strict()
      .prefault({}),
    signatures: z
      .object({
        mode: mode.default('enforce'),
        /** A trust policy file (`bulwark verify --policy`); absent: no signature requirement. */
        trustPolicy: z.string().optional(),
        failurePolicy: failurePolicy.default('Fail'),
        timeoutMs: z.number().int().min(100).max(10_000).default(2_000),
        /** Registries reachable over plain HTTP (tests, in-cluster mirrors). */
        insecureRegistries: z.array(z.string()).default([]),
        namespaces: namespaceModes,
      })
      .strict()
      .prefault({}),
    mutations: z
      .object({
        resolveDigests: z.boolean().default(false),
        securityContext: z
          .object({
            runAsNonRoot: z.boolean().optional(),
            allowPrivilegeEscalation: z.boolean().optional(),
            readOnlyRootFilesystem: z.boolean().optional(),
            seccompProfile: z.enum(['RuntimeDefault']).optional(),
            dropAllCapabilities: z.boolean().optional(),
          })
          .strict()
          .default({}),
        failurePolicy: failurePolicy.default('Ignore'),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        maxBodyBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
        requestTimeoutMs: z.number().int().min(100).max(60_000).default(10_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type AdmissionConfig = z.output<typeof schema>;

export type PssLevelSetting = 'privileged' | 'baseline' | 'restricted';

export interface PssSetting {
  level: PssLevelSetting;
  version: PssVersion;
}

/** The configuration an empty file gives. */
export function defaultConfig(): AdmissionConfig {
  return schema.parse({});
}

/** Validates a parsed document; errors name the field. */
export function parseConfig(document: unknown, file = 'admission configuration'): AdmissionConfig {
  const result = schema.safeParse(document ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue === undefined ? '' : issue.path.map(String).join('.');
  throw new BulwarkError('E_CONFIG', `${file}: ${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'}`, { location: { file } });
}

const MAX_CONFIG_BYTES = 1024 * 1024;

export async function loadConfig(file: string): Promise<AdmissionConfig> {
  const info = await stat(file).catch((error: unknown) => {
    throw new BulwarkError('E_IO', `cannot read the admission configuration: ${ioReason(error)}`, { location: { file }, cause: error });
  });
  if (info.size > MAX_CONFIG_BYTES) throw new BulwarkError('E_TOO_LARGE', `${file}: larger than ${MAX_CONFIG_BYTES} bytes`);
  const text = await readFile(file, 'utf8');
  const { documents, errors } = parseYamlStream(text, file);
  if (errors[0] !== undefined) throw errors[0];
  if (documents.length > 1) throw new BulwarkError('E_CONFIG', `${file}: holds ${documents.length} documents; the admission configuration is one`);
  return parseConfig(documents[0]?.value, file);
}

/** The mode of a rule in a namespace: the namespace's override, else the rule's own. */
export function modeIn(rule: { mode: Mode; namespaces: Record<string, Mode> }, namespace: string): Mode {
  return rule.namespaces[namespace] ?? rule.mode;
}
