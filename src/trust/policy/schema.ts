import { z } from 'zod';

const nonEmpty = z.string().min(1).max(4096);

const identity = z
  .strictObject({
    subject: nonEmpty.optional(),
    subjectRegExp: nonEmpty.optional(),
    issuer: nonEmpty.optional(),
    issuerRegExp: nonEmpty.optional(),
  })
  .refine((value) => value.subject !== undefined || value.subjectRegExp !== undefined, { message: 'name the identity with subject or subjectRegExp' });

const authority = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'a name of letters, digits, ".", "_" or "-"'),
    /** Paths (relative to the policy file) or inline PEM. */
    keys: z.array(nonEmpty).max(64).optional(),
    ca: z
      .strictObject({
        roots: z.array(nonEmpty).min(1).max(16),
        intermediates: z.array(nonEmpty).max(16).optional(),
        /** A trusted_root.json whose logs must record each signature; their time is when certificates are judged. */
        transparencyLogs: nonEmpty.optional(),
      })
      .optional(),
    sigstore: z
      .strictObject({
        /** `public-good` or a path to a trusted_root.json. */
        trustedRoot: nonEmpty,
        tlogThreshold: z.int().min(0).max(8).optional(),
        ctlogThreshold: z.int().min(0).max(8).optional(),
        timestampThreshold: z.int().min(0).max(8).optional(),
      })
      .optional(),
    identities: z.array(identity).max(64).optional(),
  })
  .refine((value) => value.keys !== undefined || value.ca !== undefined || value.sigstore !== undefined, { message: 'give the authority keys, a ca or a sigstore trusted root' });

const condition = z.union([
  z.strictObject({ path: nonEmpty, equals: z.unknown() }),
  z.strictObject({ path: nonEmpty, oneOf: z.array(z.unknown()).min(1).max(256) }),
  z.strictObject({ path: nonEmpty, matches: nonEmpty }),
  z.strictObject({ path: nonEmpty, exists: z.boolean() }),
]);

const rule = z.strictObject({
  name: z.string().min(1).max(128).optional(),
  /** Globs over `registry/repository`: `*` within one path segment, `**` across segments. */
  images: z.array(nonEmpty).min(1).max(256),
  /** `verify` (default) checks signatures; `allow` and `deny` decide without looking. */
  action: z.enum(['verify', 'allow', 'deny']).optional(),
  signatures: z
    .strictObject({
      minimum: z.int().min(0).max(64).optional(),
      authorities: z.array(nonEmpty).min(1).max(64).optional(),
    })
    .optional(),
  attestations: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(128).optional(),
        /** A short name (slsaprovenance1, cyclonedx, spdx, …) or a predicate type URI. */
        type: nonEmpty,
        authorities: z.array(nonEmpty).min(1).max(64).optional(),
        conditions: z.array(condition).max(64).optional(),
      }),
    )
    .max(32)
    .optional(),
});

export const policyFileSchema = z.strictObject({
  apiVersion: z.literal('bulwark.dev/v1'),
  kind: z.literal('ImageTrustPolicy'),
  authorities: z.array(authority).min(1).max(64),
  rules: z.array(rule).min(1).max(1024),
  /** For images no rule matches (default deny: an unlisted registry is not trusted by accident). */
  defaultAction: z.enum(['allow', 'deny']).optional(),
});

export type PolicyFile = z.infer<typeof policyFileSchema>;
export type PolicyAuthority = z.infer<typeof authority>;
export type PolicyRule = z.infer<typeof rule>;
