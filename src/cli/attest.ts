import { Command, Option } from 'commander';
import { passphraseOptions } from './key.ts';
import { addRegistryOptions, addSignerOptions, layoutsOf, registryOptions, transparencyOf, type RegistryFlags, type SignerCliFlags } from './sign.ts';

interface AttestFlags extends SignerCliFlags, RegistryFlags {
  predicate: string;
  type: string;
  layout: 'both' | 'classic' | 'bundle';
  format: 'text' | 'json';
}

export function attestCommand(): Command {
  const attest = new Command('attest')
    .summary('attach signed attestations')
    .description('Attach signed in-toto attestations (provenance, SBOMs, …) to images.')
    .addHelpText('after', '\nExample:\n  $ bulwark attest image registry.example.com/app@sha256:… --key release.key --predicate sbom.cdx.json --type cyclonedx');
  attest.addCommand(
    addRegistryOptions(
      addSignerOptions(
        new Command('image')
          .summary('attest an image')
          .description(
            'Wrap the predicate in an in-toto Statement v1 about the manifest digest of REF, sign it in a DSSE envelope ' +
              '(over the pre-authentication encoding), and attach it like cosign: under tag sha256-<hex>.att and/or as a ' +
              'Sigstore bundle referrer.',
          )
          .argument('<ref>', 'image reference')
          .requiredOption('--predicate <file>', 'the predicate (JSON; for --type custom any text)')
          .option('--type <type>', 'slsaprovenance, slsaprovenance1, cyclonedx, spdx, vuln, openvex, link, custom, or a predicate type URI', 'custom')
          .addOption(new Option('--layout <layout>', 'where to write the attestation').choices(['both', 'classic', 'bundle']).default('both'))
          .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text')),
      ),
    )
      .addHelpText(
        'after',
        `
Examples:
  $ bulwark attest image registry.example.com/app:1.4 --predicate provenance.json --type slsaprovenance1 --key cosign.key
  $ bulwark attest image registry.example.com/app@sha256:… --predicate sbom.cdx.json --type cyclonedx --key ci.key --cert ci.crt
  $ SIGSTORE_ID_TOKEN=… bulwark attest image registry.example.com/app:1.4 --predicate provenance.json --type slsaprovenance1 \\
      --fulcio-url https://fulcio.example.com --rekor-url https://rekor.example.com`,
      )
      .action(async (ref: string, flags: AttestFlags) => {
        const [{ attestImage }, { passphraseSource }, { predicateTypeUri }, { RegistryPool }, { loadSigningIdentity, loadPredicate }] = await Promise.all([
          import('../trust/sign/image.ts'),
          import('../trust/keys/passphrase.ts'),
          import('../trust/formats/intoto.ts'),
          import('../trust/verify/verifier.ts'),
          import('../trust/sign/load.ts'),
        ]);
        const predicateType = predicateTypeUri(flags.type);
        const predicate = await loadPredicate(flags.predicate, flags.type === 'custom');
        const identity = await loadSigningIdentity(flags, passphraseSource(passphraseOptions(flags)));
        const transparency = transparencyOf(flags);
        const result = await attestImage({
          reference: ref,
          identity,
          layouts: layoutsOf(flags.layout),
          predicateType,
          predicate,
          pool: new RegistryPool(registryOptions(flags)),
          ...(transparency === undefined ? {} : { transparency }),
        });
        process.stdout.write(
          flags.format === 'json'
            ? `${JSON.stringify({ schemaVersion: '1', repository: result.repository, digest: result.digest, predicateType, written: result.written })}\n`
            : `attested ${result.repository}@${result.digest} (${predicateType})\n${result.written.map((entry) => `  ${entry.layout.padEnd(8)} ${entry.location}`).join('\n')}\n`,
        );
      }),
  );
  for (const sub of attest.commands) sub.exitOverride();
  return attest;
}
