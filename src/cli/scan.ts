import { Command, Option } from 'commander';
import { SEVERITIES, type PssLevel, type Severity } from '../core/index.ts';
import type { ReportFormat } from '../report/index.ts';
import { checkOutputWritable, emit, printDiagnostics } from './output.ts';
import { Progress, terminalWidth, useColor } from './terminal.ts';
import { toolVersion } from './version.ts';

interface ScanFlags {
  format: ReportFormat;
  output?: string;
  failOn?: Severity;
  pssLevel?: PssLevel;
  pssVersion?: string;
  config?: string;
  kustomize: string[];
  helm?: string;
  values: string[];
  releaseName?: string;
  namespace?: string;
  policy: string[];
  color: boolean;
  threatModel: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function scanCommand(): Command {
  return new Command('scan')
    .summary('check Kubernetes manifests, Kustomize and Helm output')
    .description(
      'Check Kubernetes manifests against the Pod Security Standards and the Bulwark catalog.\n' +
        'Reads files, directories (recursively: .yaml, .yml, .json), multi-document YAML, List kinds and stdin (-).',
    )
    .argument('[paths...]', 'files or directories to scan; - reads stdin', [])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'sarif', 'junit']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(SEVERITIES))
    .addOption(new Option('--pss-level <level>', 'Pod Security Standards level (default: restricted)').choices(['baseline', 'restricted']))
    .option('--pss-version <version>', 'Pod Security Standards version: v1.0 … v1.37 or latest (default: latest)')
    .option('-c, --config <file>', 'configuration file (default: .bulwark.yaml found upward from the first path)')
    .option('-k, --kustomize <dir>', 'render a kustomization with kustomize (or kubectl kustomize) and scan it; repeatable', collect, [])
    .option('--helm <chart>', 'render a chart with helm template and scan it')
    .option('--values <file>', 'values file for --helm; repeatable', collect, [])
    .option('--release-name <name>', 'release name for --helm')
    .option('-n, --namespace <namespace>', 'namespace for --helm')
    .option('--policy <path>', 'evaluate the ValidatingAdmissionPolicies (CEL) in this file or directory too; repeatable', collect, [])
    .option('--no-color', 'never use colours in the table')
    .option('--threat-model', 'print, per workload reachable from outside the cluster, what exposes it, what it runs as and what its identity may do, with the findings behind each step (text, or JSON with --format json)', false)
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark scan examples/
  $ bulwark scan deploy/ --format sarif --output bulwark.sarif --fail-on high
  $ helm template my-chart | bulwark scan - --pss-level baseline
  $ bulwark scan --kustomize overlays/prod --format json
  $ bulwark scan --helm ./chart --values prod.yaml
  $ bulwark scan deploy/ --policy policies/ --fail-on high
  $ bulwark scan deploy/ --threat-model

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage or input error.`,
    )
    .action(async (paths: string[], flags: ScanFlags) => {
      checkOutputWritable(flags.output);
      if (paths.length === 0 && flags.kustomize.length === 0 && flags.helm === undefined) paths = ['.'];
      // Loaded here, not at start-up, so `--help` and the other commands stay instant.
      const { scanForPrinting } = await import('../scan/threaded.ts');
      const progress = new Progress();
      const document = await scanForPrinting(
        {
          paths,
          kustomize: flags.kustomize,
          helm:
            flags.helm === undefined
              ? undefined
              : { chart: flags.helm, values: flags.values, releaseName: flags.releaseName, namespace: flags.namespace },
          configPath: flags.config,
          cwd: process.cwd(),
          pssLevel: flags.pssLevel,
          pssVersion: flags.pssVersion,
          failOn: flags.failOn,
          now: new Date(),
          toolVersion,
          onProgress: progress.enabled ? (done, total) => progress.update('Scanning files', done, total) : undefined,
          policies: flags.policy,
        },
        {
          format: flags.format,
          color: flags.color && flags.output === undefined && useColor(process.stdout),
          width: terminalWidth(process.stdout),
          baseDir: process.cwd(),
          threatModel: flags.threatModel,
        },
        flags.output,
      );
      progress.done();
      printDiagnostics(document.diagnostics);
      if (document.chunks !== undefined) await emit(document.chunks, flags.output);
      process.exitCode = document.exitCode;
    });
}
