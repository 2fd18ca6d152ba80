import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { BulwarkError, SEVERITIES, type Severity } from '../core/index.ts';
import { systemErrorReason } from './failure.ts';
import { checkOutputWritable, emit } from './output.ts';
import { Progress, useColor } from './terminal.ts';
import { toolVersion } from './version.ts';

interface ImageFlags {
  format: 'table' | 'json' | 'sarif' | 'cyclonedx' | 'spdx';
  output?: string;
  failOn?: Severity;
  platform?: string;
  username?: string;
  passwordStdin: boolean;
  insecureRegistry: string[];
  caFile?: string;
  secrets: boolean;
  packages: boolean;
  color: boolean;
  db?: string;
  ignoreUnfixed?: boolean;
  severity?: string;
  vex: string[];
  maxAge?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > 64 * 1024) throw new BulwarkError('E_USAGE', '--password-stdin: more than 64 KiB on standard input');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function imageSubcommand(name: 'scan' | 'sbom'): Command {
  const sbom = name === 'sbom';
  const command = new Command(name)
    .summary(sbom ? 'write the SBOM of an image (CycloneDX or SPDX)' : 'inventory an image, check its config and find secrets in its layers')
    .description(
      (sbom
        ? 'Write the software bill of materials of an image: OS packages (dpkg, apk, rpm) and language packages (npm, Python, Go binaries, Java archives).'
        : 'Scan an image: package inventory (SBOM), image config checks (root user, secrets in ENV/history, remote-access ports, health check) and secrets in layer files.') +
        '\n\nIMAGE is a registry reference (debian:12, ghcr.io/org/app@sha256:…), oci:DIR[:TAG], docker-archive:FILE[:TAG] or dir:ROOTFS. ' +
        'Layers are streamed and verified against their digests; nothing is written to disk.',
    )
    .argument('<image>', 'image to scan')
    .addOption(
      new Option('-f, --format <format>', sbom ? 'output format' : 'output format (cyclonedx and spdx include the vulnerabilities found with --db)')
        .choices(sbom ? ['cyclonedx', 'spdx', 'json', 'table'] : ['table', 'json', 'sarif', 'cyclonedx', 'spdx'])
        .default(sbom ? 'cyclonedx' : 'table'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--platform <os/arch[/variant]>', 'image of a multi-platform index to scan (default: linux and this machine\'s architecture)')
    .option('-u, --username <name>', 'registry username (with --password-stdin); default: the Docker config and its credential helpers')
    .option('--password-stdin', 'read the registry password or token from standard input', false)
    .option('--insecure-registry <host>', 'allow plain HTTP to this registry host[:port] (repeatable; never implied)', collect, [])
    .option('--ca-file <file>', 'PEM file of CA certificates to trust for the registry')
    .option('--no-color', 'never use colours in the table');
  if (!sbom) {
    command
      .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(SEVERITIES))
      .option('--no-secrets', 'do not scan layer files for secrets')
      .option('--packages', 'list every package in the table (default: counts per ecosystem)', false);
  }
  command
    .option('--db <file>', sbom ? 'match packages against this vulnerability database (see `bulwark db`); the SBOM lists the vulnerabilities found' : 'match packages against this vulnerability database (see `bulwark db`); vulnerabilities become findings')
    .option('--ignore-unfixed', 'with --db: leave out vulnerabilities that have no fixed version')
    .option('--severity <list>', 'with --db: report only these severities, comma-separated (e.g. high,critical)')
    .option('--vex <file>', 'with --db: OpenVEX document whose not_affected/fixed statements hide findings; repeatable', collect, [])
    .option('--max-age <duration>', 'with --db: warn when the database is older than this (default 7d)');
  return command
    .addHelpText(
      'after',
      sbom
        ? `
Examples:
  $ bulwark image sbom debian:12 --output debian.cdx.json
  $ bulwark image sbom oci:./build/layout:v1 --format spdx
  $ bulwark image sbom ghcr.io/org/app:1.4 --db ~/.cache/bulwark/vuln.db --output app.cdx.json   # with vulnerabilities
  $ bulwark image sbom registry.local:5000/app:1.2 --insecure-registry registry.local:5000`
        : `
Examples:
  $ bulwark image scan debian:12
  $ bulwark image scan ghcr.io/org/app:1.4 --format json --fail-on high
  $ echo "$TOKEN" | bulwark image scan registry.example.com/app:1 -u ci --password-stdin
  $ bulwark image scan docker-archive:app.tar --format cyclonedx --output app.cdx.json
  $ bulwark image scan ghcr.io/org/app:1.4 --db vuln.db --format sarif --output image.sarif
  $ bulwark image scan oci:./layout --db vuln.db --format cyclonedx --output app.vex.cdx.json
  $ bulwark image scan oci:./layout --platform linux/arm64

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage or input error.`,
    )
    .action(async (image: string, flags: ImageFlags & { secrets?: boolean; packages?: boolean }) => {
      checkOutputWritable(flags.output);
      const [{ scanImage }, { parseImageLocation }, { parsePlatform }, { renderImageReport, imageExitCode }] = await Promise.all([
        import('../image/scan.ts'),
        import('../image/reference.ts'),
        import('../image/oci/manifest.ts'),
        import('../image/report.ts'),
      ]);
      if (flags.passwordStdin && flags.username === undefined) throw new BulwarkError('E_USAGE', '--password-stdin needs --username');
      if (flags.username !== undefined && !flags.passwordStdin) throw new BulwarkError('E_USAGE', '--username needs --password-stdin (passwords are never taken as arguments)');
      let ca: string | undefined;
      if (flags.caFile !== undefined) {
        try {
          ca = readFileSync(flags.caFile, 'utf8');
        } catch (error) {
          throw new BulwarkError('E_INPUT', `cannot read the --ca-file: ${systemErrorReason(error as NodeJS.ErrnoException)}`, { location: { file: flags.caFile }, cause: error });
        }
      }
      // Loaded while the layers are read, not after them.
      const vulnerabilityModule = flags.db === undefined ? undefined : import('../vuln/image.ts');
      vulnerabilityModule?.catch(() => {}); // awaited below; a scan that fails first must not leave it unhandled
      const progress = new Progress();
      const result = await scanImage({
        location: parseImageLocation(image),
        ...(flags.platform === undefined ? {} : { platform: parsePlatform(flags.platform) }),
        access: {
          ...(flags.username === undefined ? {} : { credentials: { kind: 'basic' as const, username: flags.username, password: await readStdin() } }),
          insecureHosts: flags.insecureRegistry,
          ...(ca === undefined ? {} : { ca }),
        },
        // An SBOM is the inventory only: no secret scan (the config checks cost nothing and are not printed).
        secrets: !sbom && flags.secrets !== false,
        onProgress: (done, total) => progress.update('Reading layers', done, total),
      });
      progress.done();
      if (vulnerabilityModule !== undefined && flags.db !== undefined) {
        const { addVulnerabilities } = await vulnerabilityModule;
        await addVulnerabilities(result, { db: flags.db, ignoreUnfixed: flags.ignoreUnfixed === true, severity: flags.severity, vex: flags.vex, maxAge: flags.maxAge });
      }
      for (const problem of result.problems) {
        if (problem.level !== 'note') process.stderr.write(`bulwark: ${problem.level}: ${problem.layer ? `${problem.layer} ` : ''}${problem.path ?? ''}${problem.path ? ': ' : ''}${problem.message}\n`);
      }
      const text = renderImageReport(result, flags.format, {
        toolVersion,
        timestamp: new Date().toISOString(),
        color: flags.color && flags.output === undefined && useColor(process.stdout),
        listPackages: flags.packages === true,
      });
      await emit([text], flags.output);
      process.exitCode = imageExitCode(result, flags.failOn);
    });
}

export function imageCommand(): Command {
  const command = new Command('image')
    .summary('scan container images: SBOM, config checks, secrets in layers')
    .description('Container images from OCI registries, OCI layouts, docker save archives and root filesystems.')
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark image scan debian:12
  $ bulwark image sbom ghcr.io/org/app:1.4 --format spdx --output app.spdx.json`,
    );
  command.addCommand(imageSubcommand('scan'));
  command.addCommand(imageSubcommand('sbom'));
  for (const sub of command.commands) sub.exitOverride();
  return command;
}
