import { Command, Option } from 'commander';
import type { BlobVerification, ImageVerification } from '../trust/index.ts';
import { addRegistryOptions, registryOptions, type RegistryFlags } from './sign.ts';
import { toolVersion } from './version.ts';

interface TrustCliFlags {
  key: string[];
  certIdentity?: string;
  certIdentityRegexp?: string;
  certOidcIssuer?: string;
  certOidcIssuerRegexp?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  caRoots?: string;
  caIntermediates?: string;
  trustedRoot?: string;
  insecureIgnoreSct?: boolean;
  format: 'text' | 'json';
}

interface ImageFlags extends TrustCliFlags, RegistryFlags {
  policy?: string;
  attestationType: string[];
  timeout: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The trust flags of cosign verify (`--certificate-*`) and the short forms (`--cert-*`) both work. */
function addTrustOptions(command: Command): Command {
  command
    .option('--key <file>', 'trusted public key (PEM); repeatable: any of them may have signed', collect, [])
    .option('--cert-identity <identity>', 'certificate identity (SAN e-mail or URI) that must have signed')
    .option('--cert-identity-regexp <regexp>', 'regular expression the certificate identity must match (use ^…$ to anchor)')
    .option('--cert-oidc-issuer <url>', 'OIDC issuer recorded in the certificate')
    .option('--cert-oidc-issuer-regexp <regexp>', 'regular expression for the OIDC issuer')
    .option('--ca-roots <file>', 'root certificates of a private CA (PEM)')
    .option('--ca-intermediates <file>', 'intermediate certificates of the private CA (PEM)')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json (or "public-good"): Fulcio CAs and log keys; requires transparency-log evidence (with --ca-roots too: its logs fix the signing time)')
    .option('--insecure-ignore-sct', 'accept certificates without a signed certificate timestamp (a private CA or Fulcio without CT)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'));
  for (const [long, description] of [
    ['--certificate-identity <identity>', 'same as --cert-identity'],
    ['--certificate-identity-regexp <regexp>', 'same as --cert-identity-regexp'],
    ['--certificate-oidc-issuer <url>', 'same as --cert-oidc-issuer'],
    ['--certificate-oidc-issuer-regexp <regexp>', 'same as --cert-oidc-issuer-regexp'],
  ] as const) {
    command.addOption(new Option(long, description).hideHelp());
  }
  return command;
}

function trustFlags(flags: TrustCliFlags): import('../trust/verify/flags.ts').TrustFlags {
  const out: import('../trust/verify/flags.ts').TrustFlags = { key: flags.key };
  const pick = (a: string | undefined, b: string | undefined): string | undefined => a ?? b;
  const certIdentity = pick(flags.certIdentity, flags.certificateIdentity);
  const certIdentityRegexp = pick(flags.certIdentityRegexp, flags.certificateIdentityRegexp);
  const certOidcIssuer = pick(flags.certOidcIssuer, flags.certificateOidcIssuer);
  const certOidcIssuerRegexp = pick(flags.certOidcIssuerRegexp, flags.certificateOidcIssuerRegexp);
  if (certIdentity !== undefined) out.certIdentity = certIdentity;
  if (certIdentityRegexp !== undefined) out.certIdentityRegexp = certIdentityRegexp;
  if (certOidcIssuer !== undefined) out.certOidcIssuer = certOidcIssuer;
  if (certOidcIssuerRegexp !== undefined) out.certOidcIssuerRegexp = certOidcIssuerRegexp;
  if (flags.caRoots !== undefined) out.caRoots = flags.caRoots;
  if (flags.caIntermediates !== undefined) out.caIntermediates = flags.caIntermediates;
  if (flags.trustedRoot !== undefined) out.trustedRoot = flags.trustedRoot;
  if (flags.insecureIgnoreSct === true) out.insecureIgnoreSct = true;
  return out;
}

type Outcome = ImageVerification & { rule?: string | undefined; decision?: 'verify' | 'allow' | 'deny' };

async function verifyImages(refs: string[], flags: ImageFlags, requireSignature: boolean): Promise<void> {
  // Only what this run needs is loaded: the policy reader (YAML, schema) only with --policy.
  const [{ ImageVerifier }, { describeSigner }, { authoritiesFromFlags, policyFromFlags }, { parseDuration }, policyModule] = await Promise.all([
    import('../trust/verify/verifier.ts'),
    import('../trust/verify/authority.ts'),
    import('../trust/verify/flags.ts'),
    import('../trust/duration.ts'),
    flags.policy === undefined ? undefined : Promise.all([import('../trust/policy/load.ts'), import('../trust/policy/enforce.ts')]).then(([load, enforce]) => ({ ...load, ...enforce })),
  ]);
  const verifier = new ImageVerifier({ registry: registryOptions(flags), timeoutMs: parseDuration(flags.timeout, '--timeout', 600_000) });
  const policyFile = flags.policy === undefined ? undefined : await policyModule!.loadTrustPolicy(flags.policy);
  const fromFlags = policyFile === undefined ? policyFromFlags(await authoritiesFromFlags(trustFlags(flags)), trustFlags(flags), flags.attestationType, requireSignature) : undefined;
  const outcomes: Outcome[] = [];
  for (const ref of refs) {
    outcomes.push(policyFile === undefined ? await verifier.verify(ref, fromFlags!) : await policyModule!.verifyWithPolicy(verifier, policyFile, ref));
  }
  if (flags.format === 'json') {
    process.stdout.write(`${JSON.stringify({ schemaVersion: '1', tool: { name: 'bulwark', version: toolVersion }, images: outcomes.map(stripCached) })}\n`);
  } else {
    process.stdout.write(outcomes.map((outcome) => renderImage(outcome, describeSigner)).join(''));
  }
  if (outcomes.some((outcome) => !outcome.verified)) process.exitCode = 1;
}

function stripCached(outcome: Outcome): Outcome {
  const { cached: _cached, ...rest } = outcome as Outcome & { cached?: boolean };
  return rest;
}

function renderImage(outcome: Outcome, describe: (signer: ImageVerification['signatures'][number]['signer']) => string): string {
  const name = `${outcome.repository}${outcome.digest === '' ? '' : `@${outcome.digest}`}`;
  const rule = outcome.rule === undefined ? '' : ` (rule ${outcome.rule})`;
  if (outcome.decision === 'allow') return `allowed ${name}${rule}: not verified, the policy allows it\n`;
  const lines: string[] = [];
  if (outcome.verified) lines.push(`verified ${name}${rule}`);
  else lines.push(`FAILED ${name}${rule}: ${outcome.reason?.code ?? 'unknown'}: ${outcome.reason?.message ?? ''}`);
  for (const signature of outcome.signatures) lines.push(`  signature    ${signature.layout.padEnd(15)} ${describe(signature.signer)}${tlog(signature.transparencyLog)}`);
  for (const attestation of outcome.attestations) lines.push(`  attestation  ${attestation.layout.padEnd(15)} ${attestation.predicateType} by ${describe(attestation.signer)}${tlog(attestation.transparencyLog)}`);
  if (!outcome.verified) for (const rejected of outcome.rejected.slice(0, 10)) lines.push(`  rejected     ${rejected.source}: ${rejected.failure.code}: ${rejected.failure.message}`);
  return `${lines.join('\n')}\n`;
}

function tlog(state: 'verified' | 'not-verified' | 'absent'): string {
  return state === 'verified' ? ' [transparency log verified]' : state === 'not-verified' ? ' [transparency log entry not checked: no trusted root]' : '';
}

function renderBlob(file: string, result: BlobVerification, describe: (signer: NonNullable<BlobVerification['signer']>) => string): string {
  if (!result.verified) return `FAILED ${file} (${result.digest}): ${result.reason?.code ?? 'unknown'}: ${result.reason?.message ?? ''}\n`;
  const what = result.predicateType === undefined ? '' : ` attestation ${result.predicateType}`;
  return `verified ${file} (${result.digest})${what} signed by ${describe(result.signer!)}${tlog(result.evidence?.transparencyLog ?? 'absent')}\n`;
}

export function verifyCommand(): Command {
  const verify = new Command('verify')
    .summary('verify signatures of images and files')
    .description('Verify signatures and attestations made by Bulwark, cosign or any Sigstore client.')
    .addHelpText('after', '\nExamples:\n  $ bulwark verify image registry.example.com/app:1.4 --key release.pub\n  $ bulwark verify blob release.tar.gz --bundle release.tar.gz.sigstore.json --key release.pub');
  verify.addCommand(
    addRegistryOptions(
      addTrustOptions(
        new Command('image')
          .summary('verify the signatures of images')
          .description(
            'Verify that each image is signed by a trusted key or certificate identity (or as --policy requires). ' +
              "Reads cosign's classic layout and Sigstore bundle referrers. Prints the verified digest and who signed it.",
          )
          .argument('<refs...>', 'image references')
          .option('--policy <file>', 'trust policy (YAML/JSON): which images need which signers and attestations')
          .option('--attestation-type <type>', 'also require a verified attestation of this type; repeatable', collect, [])
          .option('--timeout <duration>', 'bound on resolving, fetching and verifying one image', '30s'),
      ),
    )
      .addHelpText(
        'after',
        `
Examples:
  $ bulwark verify image registry.example.com/app:1.4 --key cosign.pub
  $ bulwark verify image registry.example.com/app:1.4 --cert-identity release@example.com --ca-roots ca/root.crt --ca-intermediates ca/intermediate.crt
  $ bulwark verify image ghcr.io/org/app:1.4 --cert-identity-regexp '^https://github.com/org/' --cert-oidc-issuer https://token.actions.githubusercontent.com
  $ bulwark verify image registry.example.com/app:1.4 --trusted-root trusted_root.json --cert-identity ci@example.com --cert-oidc-issuer https://idp.example.com   # keyless (Fulcio + Rekor)
  $ bulwark verify image registry.example.com/app:1.4 --policy trust-policy.yaml --format json

Exit codes: 0 every image verified, 1 an image failed verification (the reason is printed), 2 usage or input error.`,
      )
      .action((refs: string[], flags: ImageFlags) => verifyImages(refs, flags, true)),
  );
  verify.addCommand(
    addRegistryOptions(
      addTrustOptions(
        new Command('attestation')
          .summary('verify the attestations of images')
          .description('Verify that each image carries a signed attestation of the given type from a trusted signer.')
          .argument('<refs...>', 'image references')
          .option('--type <type>', 'predicate type (short name or URI)', 'custom')
          .option('--policy <file>', 'trust policy instead of the flags')
          .option('--timeout <duration>', 'bound per image', '30s'),
      ),
    )
      .addHelpText('after', '\nExamples:\n  $ bulwark verify attestation registry.example.com/app:1.4 --type slsaprovenance1 --key cosign.pub')
      .action((refs: string[], flags: ImageFlags & { type: string }) => verifyImages(refs, { ...flags, attestationType: [flags.type] }, false)),
  );
  verify.addCommand(
    addTrustOptions(
      new Command('blob')
        .summary('verify a file against a Sigstore bundle')
        .description(
          'Verify a file against a Sigstore bundle (message signature, or a DSSE attestation about the file). ' +
            'The flags are those of the Sigstore conformance protocol: --bundle, --key, --trusted-root, ' +
            '--certificate-identity, --certificate-oidc-issuer.',
        )
        .argument('<file>', 'the signed file')
        .requiredOption('--bundle <file>', 'the Sigstore bundle'),
    )
      .addHelpText(
        'after',
        `
Examples:
  $ bulwark verify blob release.tar.gz --bundle release.tar.gz.sigstore.json --key cosign.pub
  $ bulwark verify blob a.txt --bundle a.txt.sigstore.json --trusted-root trusted_root.json \\
      --certificate-identity https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com`,
      )
      .action(async (file: string, flags: TrustCliFlags & { bundle: string }) => {
        const [{ authoritiesFromFlags }, { parseBundle }, { readBoundedFile }, { limits }, { verifyBlob }, { describeSigner }] = await Promise.all([
          import('../trust/verify/flags.ts'),
          import('../trust/formats/bundle.ts'),
          import('../trust/keys/file-provider.ts'),
          import('../trust/limits.ts'),
          import('../trust/verify/blob.ts'),
          import('../trust/verify/authority.ts'),
        ]);
        const authorities = await authoritiesFromFlags(trustFlags(flags));
        const parsed = parseBundle(await readBoundedFile(flags.bundle, 'bundle', limits.attestationBlobBytes), flags.bundle);
        const artifact = await readBoundedFile(file, 'file to verify', limits.inMemoryArtifactBytes);
        const result = verifyBlob(artifact, parsed, authorities);
        process.stdout.write(
          flags.format === 'json'
            ? `${JSON.stringify({ schemaVersion: '1', tool: { name: 'bulwark', version: toolVersion }, blob: { file, ...result } })}\n`
            : renderBlob(file, result, describeSigner),
        );
        if (!result.verified) process.exitCode = 1;
      }),
  );
  for (const sub of verify.commands) sub.exitOverride();
  return verify;
}
