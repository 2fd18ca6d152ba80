import { Command, InvalidArgumentError, Option } from 'commander';
import { BulwarkError, SEVERITIES, type PssLevel, type Severity } from '../core/index.ts';
import type { ReportFormat } from '../report/index.ts';
import { checkOutputWritable, emit, printDiagnostics } from './output.ts';
import { Progress, terminalWidth, useColor } from './terminal.ts';
import { toolVersion } from './version.ts';

interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  qps: number;
  burst: number;
}

interface ScanFlags extends ConnectionFlags {
  format: ReportFormat;
  output?: string;
  failOn?: Severity;
  pssLevel?: PssLevel;
  pssVersion?: string;
  config?: string;
  namespace?: string;
  excludeNamespaces?: string;
  includeDefaults: boolean;
  color: boolean;
  etcdEndpoint?: string;
  etcdCert?: string;
  etcdKey?: string;
  etcdCa?: string;
  etcdPrefix?: string;
  etcdResources: string;
  encryptionConfig?: string;
}

interface AccessFlags extends ConnectionFlags {
  namespace?: string;
  name?: string;
  as?: string;
  asGroup: string[];
  format: 'text' | 'json';
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function withConnection(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then the Pod\'s ServiceAccount)')
    .option('--context <name>', 'kubeconfig context to use (default: the current one)')
    .option('--qps <n>', 'most API requests per second (client-side bound)', positive, 50)
    .option('--burst <n>', 'requests allowed at once above --qps', positive, 100);
}

function positive(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('a positive number is needed');
  return parsed;
}

async function connectWith(flags: ConnectionFlags) {
  const { connect } = await import('../cluster/client.ts');
  try {
    return await connect({ kubeconfig: flags.kubeconfig, context: flags.context, qps: flags.qps, burst: flags.burst });
  } catch (error) {
    if (error instanceof BulwarkError) throw error;
    // The Kubernetes client's own errors (e.g. its http://localhost:8080 fallback when no kubeconfig
    // exists) are configuration problems of the user's, not bugs.
    const which = flags.kubeconfig === undefined ? "no usable kubeconfig (looked at $KUBECONFIG, ~/.kube/config and the Pod's ServiceAccount)" : `cannot use the kubeconfig ${flags.kubeconfig}`;
    throw new BulwarkError('E_CONFIG', `${which}: ${(error as Error).message}; pass --kubeconfig FILE (and --context NAME), or run inside a Pod with a ServiceAccount`, { cause: error });
  }
}

function etcdOptions(flags: ScanFlags) {
  if (flags.etcdEndpoint === undefined) return undefined;
  if (flags.etcdCert === undefined || flags.etcdKey === undefined || flags.etcdCa === undefined) {
    throw new BulwarkError('E_USAGE', '--etcd-endpoint needs --etcd-cert, --etcd-key and --etcd-ca: etcd is read with a client certificate only');
  }
  return {
    endpoint: flags.etcdEndpoint,
    certFile: flags.etcdCert,
    keyFile: flags.etcdKey,
    caFile: flags.etcdCa,
    prefix: flags.etcdPrefix,
    resources: flags.etcdResources.split(',').map((s) => s.trim()).filter((s) => s !== ''),
  };
}

function scanCommand(): Command {
  return withConnection(new Command('scan'))
    .summary('audit a live cluster: the whole catalog plus cluster-only controls')
    .description(
      'Read every resource type the credentials may list (page by page, rate limited) and check the objects against the Bulwark catalog, ' +
        'plus controls only a cluster can answer: Pod Security Admission labels, legacy ServiceAccount tokens, CertificateSigningRequests and RBAC escalation paths.\n' +
        'Findings point at cluster://<context> with no line; types that cannot be listed are reported as coverage gaps.',
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'sarif', 'junit', 'policyreport']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(SEVERITIES))
    .addOption(new Option('--pss-level <level>', 'Pod Security Standards level (default: restricted)').choices(['baseline', 'restricted']))
    .option('--pss-version <version>', 'Pod Security Standards version (default: latest)')
    .option('-c, --config <file>', 'configuration file (default: .bulwark.yaml found upward from the current directory)')
    .option('-n, --namespace <namespace>', 'report on this namespace only, with the ClusterRoleBindings and bound ClusterRoles that grant in it (RBAC objects are still read cluster-wide)')
    .option('--exclude-namespaces <list>', 'comma-separated namespaces or globs to leave out of findings (default: cluster.excludeNamespaces of the configuration, else kube-system,kube-public,kube-node-lease; "" for none)')
    .option('--include-defaults', 'also report on the RBAC roles and bindings the API server creates itself', false)
    .option('--no-color', 'never use colours in the table')
    .option('--etcd-endpoint <url>', 'also read etcd directly (https://host:2379) to prove which objects are stored unencrypted')
    .option('--etcd-cert <file>', 'client certificate for --etcd-endpoint')
    .option('--etcd-key <file>', 'client key for --etcd-endpoint')
    .option('--etcd-ca <file>', 'CA that signed etcd\'s serving certificate')
    .option('--etcd-prefix <prefix>', 'key prefix of the API server\'s objects (--etcd-prefix of kube-apiserver)', '/registry')
    .option('--etcd-resources <list>', 'comma-separated resources to check in etcd', 'secrets')
    .option('--encryption-config <file>', 'a copy of the EncryptionConfiguration kube-apiserver\'s --encryption-provider-config names (or a host-sensor ControlPlaneInfo document), for when etcd cannot be read')
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark cluster scan
  $ bulwark cluster scan --context prod --format sarif --output cluster.sarif --fail-on high
  $ bulwark cluster scan -n shop --format policyreport | kubectl apply -f -
  $ bulwark cluster scan --exclude-namespaces kube-system,monitoring
  $ bulwark cluster scan --etcd-endpoint https://10.0.0.5:2379 --etcd-cert etcd-client.crt --etcd-key etcd-client.key --etcd-ca etcd-ca.crt
  $ bulwark cluster scan --encryption-config ./copy-of-encryption-config.yaml

Encryption at rest: proven from etcd with --etcd-*; otherwise judged from the kube-apiserver pods of kube-system and the
EncryptionConfiguration they name (read from a ConfigMap or Secret volume, or --encryption-config); what stays unknown
is warned about as a coverage gap.

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage, connection or input error.`,
    )
    .action(async (flags: ScanFlags) => {
      checkOutputWritable(flags.output);
      const [{ runClusterScan }, { parseNamespaceList }, { renderReportChunks }] = await Promise.all([import('../cluster/scan.ts'), import('../cluster/scope.ts'), import('../report/index.ts')]);
      const excludeNamespaces = flags.excludeNamespaces === undefined ? undefined : parseNamespaceList(flags.excludeNamespaces, '--exclude-namespaces');
      const progress = new Progress();
      const client = await connectWith(flags);
      const outcome = await runClusterScan({
        client,
        namespace: flags.namespace,
        excludeNamespaces,
        includeDefaults: flags.includeDefaults,
        configPath: flags.config,
        cwd: process.cwd(),
        pssLevel: flags.pssLevel,
        pssVersion: flags.pssVersion,
        failOn: flags.failOn,
        now: new Date(),
        toolVersion,
        onProgress: (label, done, total) => progress.update(label, done, total),
        etcd: etcdOptions(flags),
        encryptionConfig: flags.encryptionConfig,
      });
      progress.done();
      printDiagnostics(outcome.diagnostics);
      if (outcome.encryption !== undefined) {
        for (const [resource, counts] of Object.entries(outcome.encryption.summary)) {
          const encrypted = Object.entries(counts.encrypted).map(([provider, n]) => `${n} by ${provider}`);
          process.stderr.write(`etcd: ${resource}: ${encrypted.length === 0 ? 'none encrypted' : `encrypted ${encrypted.join(', ')}`}; ${counts.plaintext} plaintext\n`);
        }
      } else if (outcome.encryptionAtRest !== undefined) {
        const how = { etcd: 'proven from etcd', configuration: "judged from the API server's configuration (not proven: pass --etcd-endpoint)", none: 'not verified (see the coverage gaps above)' };
        process.stderr.write(`encryption at rest: ${how[outcome.encryptionAtRest.verifiedBy]}\n`);
      }
      const toTerminal = flags.output === undefined;
      await emit(
        renderReportChunks(outcome.report, flags.format, { color: flags.color && toTerminal && useColor(process.stdout), width: terminalWidth(process.stdout) }),
        flags.output,
      );
      process.exitCode = outcome.exitCode;
    });
}

function accessCommand(name: 'who-can' | 'can-i'): Command {
  const command = withConnection(new Command(name))
    .argument('<verb>', 'get, list, watch, create, update, patch, delete, deletecollection, or * …')
    .argument('<resource>', 'RESOURCE[.GROUP][/SUBRESOURCE] (pods, deployments.apps, pods/exec), or a non-resource URL (/metrics)')
    .option('-n, --namespace <namespace>', 'the request\'s namespace (default: cluster-scoped, or across all namespaces)')
    .option('--name <name>', 'the object the request names (resourceNames rules apply)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'));
  if (name === 'who-can') {
    return command
      .summary('list who may make a request, from the live RBAC objects')
      .description('List every subject (user, group, ServiceAccount) the cluster\'s Roles and bindings allow to make the request, with the binding and role that allow it.')
      .addHelpText(
        'after',
        `
Examples:
  $ bulwark cluster who-can get secrets -n shop
  $ bulwark cluster who-can create pods/exec -n shop --format json
  $ bulwark cluster who-can update certificatesigningrequests/approval

Exit codes: 0 answered, 2 usage or connection error.`,
      )
      .action(async (verb: string, resource: string, flags: AccessFlags) => {
        const { runWhoCan } = await import('../cluster/access.ts');
        const result = await runWhoCan(await connectWith(flags), { verb, resource, namespace: flags.namespace ?? '', name: flags.name ?? '' });
        if (flags.format === 'json') process.stdout.write(`${JSON.stringify({ context: result.context, request: result.request, subjects: result.entries }, null, 2)}\n`);
        else if (result.entries.length === 0) process.stdout.write('nobody (through RBAC)\n');
        else for (const e of result.entries) process.stdout.write(`${e.subject}\t${e.scope}\tvia ${e.binding} → ${e.role}\n`);
      });
  }
  return command
    .summary('answer whether an identity may make a request, from the live RBAC objects')
    .description('The RBAC authorizer\'s answer for --as (a user, or system:serviceaccount:NS:NAME), with the bindings that allow it; exits 0 when allowed, 1 when not.')
    .requiredOption('--as <subject>', 'user name, or system:serviceaccount:NAMESPACE:NAME')
    .option('--as-group <group>', 'a group the identity is in; repeatable', collect, [])
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark cluster can-i --as system:serviceaccount:shop:ci create pods -n shop
  $ bulwark cluster can-i --as jane --as-group developers get secrets -n shop --name db

Exit codes: 0 allowed, 1 denied, 2 usage or connection error.`,
    )
    .action(async (verb: string, resource: string, flags: AccessFlags) => {
      const { runCanI, parseIdentity } = await import('../cluster/access.ts');
      const user = parseIdentity(flags.as ?? '', flags.asGroup);
      const result = await runCanI(await connectWith(flags), user, { verb, resource, namespace: flags.namespace ?? '', name: flags.name ?? '' });
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify({ context: result.context, user: result.user, request: result.request, allowed: result.allowed, via: result.entries }, null, 2)}\n`);
      else {
        process.stdout.write(`${result.allowed ? 'yes' : 'no'}\n`);
        for (const e of result.entries) process.stdout.write(`  via ${e.binding} → ${e.role} (${e.scope}, as ${e.subject})\n`);
      }
      process.exitCode = result.allowed ? 0 : 1;
    });
}

function permissionsCommand(): Command {
  return withConnection(new Command('permissions'))
    .summary('list what an identity may do, from the live RBAC objects')
    .description(
      'The effective permissions of --as (a user, or system:serviceaccount:NS:NAME) with --as-group: every rule its bindings grant, aggregated ClusterRoles ' +
        'resolved, grouped cluster-wide (ClusterRoleBindings) and per namespace (RoleBindings), each with the binding and role that grant it.',
    )
    .requiredOption('--as <subject>', 'user name, or system:serviceaccount:NAMESPACE:NAME')
    .option('--as-group <group>', 'a group the identity is in; repeatable', collect, [])
    .option('-n, --namespace <namespace>', 'show only this namespace\'s RoleBinding grants (cluster-wide grants are always shown)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark cluster permissions --as system:serviceaccount:shop:ci
  $ bulwark cluster permissions --as jane --as-group developers -n shop --format json

Exit codes: 0 answered, 2 usage or connection error.`,
    )
    .action(async (flags: AccessFlags) => {
      const { parseIdentity } = await import('../cluster/access.ts');
      const { formatPermissions, runPermissions } = await import('../cluster/permissions.ts');
      const user = parseIdentity(flags.as ?? '', flags.asGroup);
      const result = await runPermissions(await connectWith(flags), user, flags.namespace);
      process.stdout.write(flags.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatPermissions(result));
    });
}

export function clusterCommand(): Command {
  const command = new Command('cluster')
    .summary('audit a live cluster and answer RBAC questions')
    .description('Commands that read a running cluster through a kubeconfig (or the Pod\'s ServiceAccount).')
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark cluster scan --context prod
  $ bulwark cluster who-can get secrets -n shop
  $ bulwark cluster can-i --as system:serviceaccount:shop:ci create pods -n shop
  $ bulwark cluster permissions --as system:serviceaccount:shop:ci`,
    );
  command.addCommand(scanCommand());
  command.addCommand(accessCommand('who-can'));
  command.addCommand(accessCommand('can-i'));
  command.addCommand(permissionsCommand());
  return command;
}
