import { Command, Option } from 'commander';
import { BulwarkError } from '../core/errors.ts';
import { systemErrorReason } from './failure.ts';

export interface PassphraseFlags {
  passphraseStdin?: boolean;
  passphraseEnv?: string;
}

/** The passphrase flags every command that opens or writes a private key takes. */
export function addPassphraseOptions(command: Command, envDefault = 'BULWARK_PASSPHRASE'): Command {
  return command
    .option('--passphrase-stdin', 'read the key passphrase from the first line of stdin')
    .option('--passphrase-env <name>', `environment variable holding the passphrase (default ${envDefault}); else a prompt on a terminal`);
}

export function passphraseOptions(flags: PassphraseFlags, confirm = false): { stdin?: boolean; env?: string; confirm: boolean } {
  const options: { stdin?: boolean; env?: string; confirm: boolean } = { confirm };
  if (flags.passphraseStdin === true) options.stdin = true;
  if (flags.passphraseEnv !== undefined) options.env = flags.passphraseEnv;
  return options;
}

interface GenerateFlags extends PassphraseFlags {
  algorithm: 'ecdsa-p256' | 'ed25519' | 'rsa-pss-3072';
  outputKeyPrefix: string;
  format: 'sigstore' | 'pkcs8';
  kms?: string;
  force?: boolean;
}

export function keyCommand(): Command {
  const key = new Command('key')
    .summary('generate and inspect signing keys')
    .description('Generate signing key pairs (encrypted at rest) and print public keys.')
    .addHelpText('after', '\nExamples:\n  $ bulwark key generate -o release        # release.key (encrypted) + release.pub\n  $ bulwark key public --key release.key');
  key.addCommand(
    addPassphraseOptions(
      new Command('generate')
        .summary('generate a key pair')
        .description(
          'Generate a signing key pair: <prefix>.key (encrypted with a passphrase, mode 0600) and <prefix>.pub.\n\n' +
            'The default "sigstore" format (scrypt + NaCl secretbox) is the one cosign reads for `cosign sign --key`; ' +
            '"pkcs8" writes a standard encrypted PKCS#8 PEM.',
        )
        .addOption(new Option('-a, --algorithm <algorithm>', 'key algorithm').choices(['ecdsa-p256', 'ed25519', 'rsa-pss-3072']).default('ecdsa-p256'))
        .option('-o, --output-key-prefix <prefix>', 'write <prefix>.key and <prefix>.pub', 'cosign')
        .addOption(new Option('--format <format>', 'private key format').choices(['sigstore', 'pkcs8']).default('sigstore'))
        .option('--kms <uri>', 'create the key with a key provider instead (e.g. file:///secure/dir/release.key)')
        .option('--force', 'replace existing files'),
    )
      .addHelpText(
        'after',
        `
Examples:
  $ bulwark key generate                                 # cosign.key + cosign.pub, asks for a passphrase
  $ BULWARK_PASSPHRASE=… bulwark key generate -o release --algorithm ed25519
  $ echo "$PASS" | bulwark key generate --passphrase-stdin --format pkcs8 -o ci`,
      )
      .action(async (flags: GenerateFlags) => {
        const [{ generateKeyFiles }, { passphraseSource }, { providerFor }, { keyId }] = await Promise.all([
          import('../trust/keys/file-provider.ts'),
          import('../trust/keys/passphrase.ts'),
          import('../trust/keys/signing-key.ts'),
          import('../trust/keys/algorithm.ts'),
        ]);
        const options = {
          algorithm: flags.algorithm,
          passphrase: passphraseSource(passphraseOptions(flags, true)),
          format: flags.format,
          overwrite: flags.force === true,
        };
        let result;
        if (flags.kms !== undefined) {
          const { provider, uri } = providerFor(flags.kms);
          result = await provider.generate(uri, options);
        } else {
          result = await generateKeyFiles(flags.outputKeyPrefix, options).catch(rewordWriteError);
        }
        process.stdout.write(`${result.written.map((path) => `wrote ${path}`).join('\n')}\nkey id ${keyId(result.publicKey)}\n`);
      }),
  );
  key.addCommand(
    addPassphraseOptions(
      new Command('public')
        .summary('print the public key of a private key')
        .description('Print the PEM public key of a private key file (any format cosign or OpenSSL writes) or key provider URI.')
        .option('--key <file>', 'private key file')
        .option('--kms <uri>', 'key provider URI'),
    )
      .addHelpText('after', '\nExamples:\n  $ bulwark key public --key cosign.key > cosign.pub')
      .action(async (flags: PassphraseFlags & { key?: string; kms?: string }) => {
        const [{ openSigningKey }, { passphraseSource }, { publicKeyPem }] = await Promise.all([
          import('../trust/keys/open.ts'),
          import('../trust/keys/passphrase.ts'),
          import('../trust/keys/public-key.ts'),
        ]);
        const signing = await openSigningKey(flags, passphraseSource(passphraseOptions(flags)));
        process.stdout.write(publicKeyPem(signing.publicKey));
      }),
  );
  for (const sub of key.commands) sub.exitOverride();
  return key;
}

/** A key file that cannot be written names the file and says why in words, not as an errno line. */
function rewordWriteError(error: unknown): never {
  const cause = error instanceof BulwarkError ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  if (error instanceof BulwarkError && error.code === 'E_IO' && typeof cause?.path === 'string') {
    throw new BulwarkError('E_IO', `cannot write the key file: ${systemErrorReason(cause)}`, { location: { file: cause.path }, cause });
  }
  throw error;
}
