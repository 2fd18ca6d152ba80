import { Command, Option } from 'commander';
import { addPassphraseOptions, passphraseOptions, type PassphraseFlags } from './key.ts';

interface InitFlags extends PassphraseFlags {
  dir: string;
  name: string;
  organization?: string;
  algorithm: 'ecdsa-p256' | 'ed25519' | 'rsa-pss-3072';
  format: 'sigstore' | 'pkcs8';
  rootValidity: string;
  intermediateValidity: string;
  force?: boolean;
}

interface IssueFlags extends PassphraseFlags {
  dir: string;
  identity: string;
  oidcIssuer?: string;
  publicKey: string;
  validity: string;
  output?: string;
  chainOutput?: string;
  force?: boolean;
}

const CA_PASSPHRASE_ENV = 'BULWARK_CA_PASSPHRASE';

export function caCommand(): Command {
  const ca = new Command('ca')
    .summary('a private CA for code-signing certificates')
    .description('Create a root and an intermediate CA, and issue short-lived code-signing certificates for identities.')
    .addHelpText('after', '\nExamples:\n  $ bulwark ca init --dir ca\n  $ bulwark ca issue --dir ca --identity ci@example.com --public-key ci.pub --validity 30d -o ci.crt');
  ca.addCommand(
    addPassphraseOptions(
      new Command('init')
        .summary('create a root and an intermediate CA')
        .description(
          'Create DIR/root.{crt,key}, DIR/intermediate.{crt,key} and DIR/chain.pem (intermediate + root). ' +
            'The root may sign one intermediate level; the intermediate signs leaf certificates only. ' +
            `Keys are encrypted with the passphrase (default from ${CA_PASSPHRASE_ENV}).`,
        )
        .requiredOption('--dir <dir>', 'directory to create the CA in')
        .option('--name <name>', 'common-name prefix of the CA certificates', 'Bulwark')
        .option('--organization <org>', 'organization (O) of the CA certificates')
        .addOption(new Option('-a, --algorithm <algorithm>', 'CA key algorithm').choices(['ecdsa-p256', 'ed25519', 'rsa-pss-3072']).default('ecdsa-p256'))
        .addOption(new Option('--format <format>', 'private key format').choices(['sigstore', 'pkcs8']).default('sigstore'))
        .option('--root-validity <duration>', 'root certificate lifetime', '3650d')
        .option('--intermediate-validity <duration>', 'intermediate certificate lifetime', '1095d')
        .option('--force', 'replace existing files'),
      CA_PASSPHRASE_ENV,
    )
      .addHelpText('after', '\nExamples:\n  $ bulwark ca init --dir ca --name "Example Corp" --organization "Example Corp"')
      .action(async (flags: InitFlags) => {
        const [{ initCa }, { passphraseSource }, { parseDuration }] = await Promise.all([import('../trust/x509/ca.ts'), import('../trust/keys/passphrase.ts'), import('../trust/duration.ts')]);
        const day = 86_400_000;
        const result = await initCa({
          dir: flags.dir,
          name: flags.name,
          ...(flags.organization === undefined ? {} : { organization: flags.organization }),
          algorithm: flags.algorithm,
          keyFormat: flags.format,
          passphrase: passphraseSource({ ...passphraseOptions(flags, true), env: flags.passphraseEnv ?? CA_PASSPHRASE_ENV }),
          rootValidityDays: parseDuration(flags.rootValidity, '--root-validity', 30 * 365 * day) / day,
          intermediateValidityDays: parseDuration(flags.intermediateValidity, '--intermediate-validity', 30 * 365 * day) / day,
          overwrite: flags.force === true,
        });
        process.stdout.write(`${result.written.map((path) => `wrote ${path}`).join('\n')}\nroot ${result.root.subject} valid until ${result.root.notAfter.toISOString()}\n`);
      }),
  );
  ca.addCommand(
    addPassphraseOptions(
      new Command('issue')
        .summary('issue a code-signing certificate')
        .description(
          'Issue a code-signing certificate (EKU codeSigning, the identity as SAN: an e-mail address or a URI) ' +
            'for a public key, signed by the intermediate CA in DIR. Prints the certificate unless --output is given.\n\n' +
            'Sign with it: bulwark sign image REF --key K --cert CERT --cert-chain DIR/chain.pem',
        )
        .requiredOption('--dir <dir>', 'the CA directory (from `bulwark ca init`)')
        .requiredOption('--identity <identity>', 'e-mail address or URI the certificate vouches for')
        .requiredOption('--public-key <file>', 'the public key to certify (from `bulwark key generate`)')
        .option('--oidc-issuer <url>', 'record an OIDC issuer (Fulcio extension), for --cert-oidc-issuer checks')
        .option('--validity <duration>', 'certificate lifetime (short: signatures are checked at signing time)', '30d')
        .option('-o, --output <file>', 'write the certificate here')
        .option('--chain-output <file>', 'also write the chain (intermediate + root) here')
        .option('--force', 'replace existing files'),
      CA_PASSPHRASE_ENV,
    )
      .addHelpText(
        'after',
        '\nExamples:\n  $ bulwark ca issue --dir ca --identity release@example.com --public-key release.pub -o release.crt\n  $ bulwark ca issue --dir ca --identity https://ci.example.com/pipelines/release --public-key ci.pub --validity 1h',
      )
      .action(async (flags: IssueFlags) => {
        const [{ issueCertificate }, { parsePublicKeys }, { passphraseSource }, { readBoundedFile, writeNewFile }, { parseDuration }] = await Promise.all([
          import('../trust/x509/ca.ts'),
          import('../trust/keys/public-key.ts'),
          import('../trust/keys/passphrase.ts'),
          import('../trust/keys/file-provider.ts'),
          import('../trust/duration.ts'),
        ]);
        const [publicKey] = parsePublicKeys((await readBoundedFile(flags.publicKey, 'public key')).toString('utf8'), flags.publicKey);
        const issued = await issueCertificate({
          dir: flags.dir,
          identity: flags.identity,
          ...(flags.oidcIssuer === undefined ? {} : { oidcIssuer: flags.oidcIssuer }),
          publicKey: publicKey!.key,
          validityMs: parseDuration(flags.validity, '--validity', 3650 * 86_400_000),
          passphrase: passphraseSource({ ...passphraseOptions(flags), env: flags.passphraseEnv ?? CA_PASSPHRASE_ENV }),
        });
        if (flags.chainOutput !== undefined) await writeNewFile(flags.chainOutput, issued.chainPem, 0o644, flags.force === true);
        if (flags.output === undefined) process.stdout.write(issued.certificatePem);
        else {
          await writeNewFile(flags.output, issued.certificatePem, 0o644, flags.force === true);
          process.stdout.write(`wrote ${flags.output}: ${flags.identity}, valid until ${issued.certificate.notAfter.toISOString()}\n`);
        }
      }),
  );
  ca.addCommand(
    new Command('trusted-root')
      .summary('export the CA as a Sigstore trusted root')
      .description('Print the CA (intermediate + root) as a Sigstore trusted_root.json, for `cosign verify --trusted-root` with bundle signatures.')
      .requiredOption('--dir <dir>', 'the CA directory')
      .option('-o, --output <file>', 'write it here instead of stdout')
      .addHelpText('after', '\nExamples:\n  $ bulwark ca trusted-root --dir ca -o ca-trusted-root.json')
      .action(async (flags: { dir: string; output?: string }) => {
        const [{ caTrustedRoot }, { writeNewFile }] = await Promise.all([import('../trust/x509/ca.ts'), import('../trust/keys/file-provider.ts')]);
        const text = await caTrustedRoot(flags.dir);
        if (flags.output === undefined) process.stdout.write(text);
        else await writeNewFile(flags.output, text, 0o644, true);
      }),
  );
  for (const sub of ca.commands) sub.exitOverride();
  return ca;
}
