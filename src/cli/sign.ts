import { Command, Option } from 'commander';
import { addPassphraseOptions, passphraseOptions, type PassphraseFlags } from './key.ts';

export interface RegistryFlags {
  insecureRegistry: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Flags for commands that talk to a registry. Loopback registries use plain HTTP without asking. */
export function addRegistryOptions(command: Command): Command {
  return command.option('--insecure-registry <host>', 'allow plain HTTP to this registry host (loopback always is); repeatable', collect, []);
}

export function registryOptions(flags: RegistryFlags): { insecureHosts: ReadonlySet<string> } {
  return { insecureHosts: new Set(flags.insecureRegistry) };
}

export interface SignerCliFlags extends PassphraseFlags {
  key?: string;
  kms?: string;
  cert?: string;
  certChain?: string;
  rekorUrl?: string;
  fulcioUrl?: string;
  identityToken?: string;
}

export function addSignerOptions(command: Command): Command {
  return addPassphraseOptions(
    command
      .option('--key <file>', 'private key file (cosign or PKCS#8 PEM)')
      .option('--kms <uri>', 'key provider URI instead of --key (file:///path/key)')
      .option('--cert <file>', 'code-signing certificate of the key (PEM), recorded with the signature')
      .option('--cert-chain <file>', 'intermediates (and root) above --cert (PEM)')
      .option('--rekor-url <url>', 'also record signatures in this Rekor transparency log (none by default: offline)')
      .option('--fulcio-url <url>', 'keyless: get a short-lived certificate for an ephemeral key from this Fulcio CA (needs --rekor-url)')
      .option('--identity-token <jwt>', 'keyless: the OIDC identity token for Fulcio (prefer the SIGSTORE_ID_TOKEN environment variable)'),
  );
}

export function transparencyOf(flags: { rekorUrl?: string }): { rekorUrl: string } | undefined {
  return flags.rekorUrl === undefined ? undefined : { rekorUrl: flags.rekorUrl };
}

export function layoutsOf(layout: 'both' | 'classic' | 'bundle'): Array<'classic' | 'bundle'> {
  return layout === 'both' ? ['classic', 'bundle'] : [layout];
}

interface SignImageFlags extends SignerCliFlags, RegistryFlags {
  layout: 'both' | 'classic' | 'bundle';
  annotation: string[];
  format: 'text' | 'json';
}

interface SignBlobFlags extends SignerCliFlags {
  bundle?: string;
}

export function signCommand(): Command {
  const sign = new Command('sign')
    .summary('sign images and files')
    .description('Sign container images in a registry, and files, with a key (and optionally its certificate).')
    .addHelpText('after', '\nExamples:\n  $ bulwark sign image registry.example.com/app@sha256:… --key release.key\n  $ bulwark sign blob release.tar.gz --key release.key --bundle release.tar.gz.sigstore.json');
  sign.addCommand(
    addRegistryOptions(
      addSignerOptions(
        new Command('image')
          .summary('sign an image in a registry')
          .description(
            'Sign the manifest digest of REF (a tag is resolved once; the digest is what is signed) in both layouts: ' +
              "cosign's classic layout (simple-signing payload under tag sha256-<hex>.sig) and a Sigstore bundle attached " +
              'as an OCI 1.1 referrer (referrers tag scheme on registries without the referrers API).',
          )
          .argument('<ref>', 'image reference: registry/repository[:tag][@digest]')
          .addOption(new Option('--layout <layout>', 'where to write the signature').choices(['both', 'classic', 'bundle']).default('both'))
          .option('-a, --annotation <key=value>', 'annotation recorded in the signed payload; repeatable', collect, [])
          .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text')),
      ),
    )
      .addHelpText(
        'after',
        `
Examples:
  $ bulwark sign image registry.example.com/app:1.4 --key cosign.key
  $ bulwark sign image registry.example.com/app@sha256:… --key ci.key --cert ci.crt --cert-chain ca/chain.pem
  $ bulwark sign image 127.0.0.1:5000/app:dev --key cosign.key --layout classic -a env=dev
  $ SIGSTORE_ID_TOKEN=… bulwark sign image registry.example.com/app:1.4 --fulcio-url https://fulcio.example.com --rekor-url https://rekor.example.com`,
      )
      .action(async (ref: string, flags: SignImageFlags) => {
        const [{ signImage }, { passphraseSource }, { RegistryPool }, { loadSigningIdentity, parseAnnotations }] = await Promise.all([
          import('../trust/sign/image.ts'),
          import('../trust/keys/passphrase.ts'),
          import('../trust/verify/verifier.ts'),
          import('../trust/sign/load.ts'),
        ]);
        const identity = await loadSigningIdentity(flags, passphraseSource(passphraseOptions(flags)));
        const result = await signImage({
          reference: ref,
          identity,
          layouts: layoutsOf(flags.layout),
          annotations: parseAnnotations(flags.annotation),
          pool: new RegistryPool(registryOptions(flags)),
          ...(flags.rekorUrl === undefined ? {} : { transparency: transparencyOf(flags)! }),
        });
        process.stdout.write(
          flags.format === 'json'
            ? `${JSON.stringify({ schemaVersion: '1', repository: result.repository, digest: result.digest, written: result.written })}\n`
            : `signed ${result.repository}@${result.digest}\n${result.written.map((entry) => `  ${entry.layout.padEnd(8)} ${entry.location}`).join('\n')}\n`,
        );
      }),
  );
  sign.addCommand(
    addSignerOptions(
      new Command('blob')
        .summary('sign a file into a Sigstore bundle')
        .description('Sign a file: writes a Sigstore bundle (v0.3, message signature), as `cosign sign-blob --bundle` does.')
        .argument('<file>', 'the file to sign')
        .option('--bundle <file>', 'write the bundle here (default: stdout)'),
    )
      .addHelpText(
        'after',
        '\nExamples:\n  $ bulwark sign blob release.tar.gz --key cosign.key --bundle release.tar.gz.sigstore.json\n' +
          '  $ SIGSTORE_ID_TOKEN=… bulwark sign blob release.tar.gz --fulcio-url https://fulcio.example.com --rekor-url https://rekor.example.com --bundle release.sigstore.json',
      )
      .action(async (file: string, flags: SignBlobFlags) => {
        const [{ signBlob }, { passphraseSource }, { limits }, { loadSigningIdentity }, { readBoundedFile, writeNewFile }] = await Promise.all([
          import('../trust/sign/blob.ts'),
          import('../trust/keys/passphrase.ts'),
          import('../trust/limits.ts'),
          import('../trust/sign/load.ts'),
          import('../trust/keys/file-provider.ts'),
        ]);
        const identity = await loadSigningIdentity(flags, passphraseSource(passphraseOptions(flags)));
        const data = await readBoundedFile(file, 'file to sign', limits.inMemoryArtifactBytes);
        const bundle = await signBlob(data, identity, transparencyOf(flags));
        if (flags.bundle === undefined) process.stdout.write(`${bundle.toString('utf8')}\n`);
        else {
          await writeNewFile(flags.bundle, bundle, 0o644, true);
          process.stderr.write(`wrote ${flags.bundle}\n`);
        }
      }),
  );
  for (const sub of sign.commands) sub.exitOverride();
  return sign;
}
