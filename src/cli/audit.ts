import { Command, InvalidArgumentError, Option } from 'commander';
import { BulwarkError } from '../core/errors.ts';
import { emit } from './output.ts';

// Every subcommand loads the audit module only when it runs, so `bulwark --help` stays instant.
const auditModule = () => import('../audit/index.ts');

const PRIORITY_CHOICES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];
const collect = (value: string, previous: string[]): string[] => [...previous, value];

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is 0…65535');
  return n;
}

function bytes(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1024) throw new InvalidArgumentError('a size in bytes, at least 1024');
  return n;
}

/** Without the built-in rules and without a rules file nothing could ever be detected: a mistake. */
function requireSomeRules(flags: { rules: string[]; builtinRules: boolean }): void {
  if (!flags.builtinRules && flags.rules.length === 0) throw new BulwarkError('E_USAGE', '--no-builtin-rules needs at least one --rules FILE');
}

/** A Falco priority, in any case. */
const priorityOption = (flag: string, description: string): Option =>
  new Option(flag, `${description} (${PRIORITY_CHOICES.join(', ')})`).argParser((value) => {
    const priority = value.toUpperCase();
    if (!PRIORITY_CHOICES.includes(priority)) throw new InvalidArgumentError(`a priority is one of ${PRIORITY_CHOICES.join(', ')}`);
    return priority;
  });

interface ServeFlags {
  ledger: string;
  databaseUrl?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  tokenFile?: string;
  host: string;
  port: number;
  path: string;
  follow: string[];
  followFromEnd?: boolean;
  rules: string[];
  builtinRules: boolean;
  minPriority?: string;
  alertWebhook?: string;
  alertWebhookCaFile?: string;
  alertWebhookTokenFile?: string;
  stdoutAlerts: boolean;
}

interface DetectFlags {
  format: 'json' | 'text';
  rules: string[];
  builtinRules: boolean;
  minPriority?: string;
  failOn?: string;
  maxLineBytes?: number;
}

export function auditCommand(): Command {
  const audit = new Command('audit')
    .summary('Kubernetes audit events: receive, record in the ledger, detect')
    .description(
      'Receive the API server\'s audit events (webhook backend or a JSON-lines log), record each in the tamper-evident ledger ' +
        '(subject: the user), and run detection rules equivalent to Falco\'s k8saudit rules, written as CEL and extensible with rules files.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark audit policy > audit-policy.yaml
  $ bulwark audit serve --ledger ./audit-log --tls-cert-file tls.crt --tls-private-key-file tls.key
  $ bulwark audit detect /var/log/kubernetes/audit.log --format json`,
    );

  audit.addCommand(
    new Command('serve')
      .summary('receive, record and alert on audit events')
      .description('Receive audit events (HTTPS webhook for the API server\'s --audit-webhook-config-file, and/or --follow a log file), record them in the ledger and raise alerts.')
      .requiredOption('--ledger <dir>', 'ledger directory (bulwark ledger init) every event and alert is appended to')
      .option('--database-url <url>', 'PostgreSQL URL for a ledger stored there (default: $BULWARK_LEDGER_DATABASE_URL)')
      .option('--tls-cert-file <file>', 'serving certificate (PEM); with --tls-private-key-file, listen for the webhook')
      .option('--tls-private-key-file <file>', 'private key of the serving certificate (PEM)')
      .option('--client-ca-file <file>', 'require the API server to present a client certificate signed by this CA')
      .option('--token-file <file>', 'require the API server to send this bearer token')
      .option('--host <address>', 'address to listen on', '0.0.0.0')
      .option('-p, --port <port>', 'port to listen on', port, 8444)
      .option('--path <path>', 'URL path of the webhook', '/audit')
      .option('--follow <file>', 'also follow this JSON-lines audit log (repeatable; rotation and truncation handled)', collect, [])
      .option('--follow-from-end', 'when a followed file has no saved position, read only what is appended from now on')
      .option('--rules <file>', 'rules file applied after the built-in rules (repeatable)', collect, [])
      .option('--no-builtin-rules', 'use only the rules files given')
      .addOption(priorityOption('--min-priority <priority>', 'run only rules at or above this priority'))
      .option('--alert-webhook <url>', 'also POST alerts as {"alerts":[…]} to this HTTPS URL')
      .option('--alert-webhook-ca-file <file>', 'CA bundle for the alert webhook\'s certificate')
      .option('--alert-webhook-token-file <file>', 'bearer token for the alert webhook')
      .option('--no-stdout-alerts', 'do not print alerts as JSON lines on stdout')
      .addHelpText(
        'after',
        `
Examples:
  $ bulwark audit serve --ledger ./audit-log --tls-cert-file tls.crt --tls-private-key-file tls.key --client-ca-file apiserver-ca.crt
  $ bulwark audit serve --ledger ./audit-log --follow /var/log/kubernetes/audit.log --rules my-rules.yaml`,
      )
      .action(async (flags: ServeFlags) => {
        requireSomeRules(flags);
        const { serveAudit, AuditError } = await auditModule();
        if ((flags.tlsCertFile === undefined) !== (flags.tlsPrivateKeyFile === undefined)) throw new AuditError('usage', '--tls-cert-file and --tls-private-key-file go together');
        const log = (message: string): void => {
          process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), component: 'audit', message })}\n`);
        };
        const running = await serveAudit({
          ledgerDir: flags.ledger,
          ...(flags.databaseUrl === undefined ? {} : { databaseUrl: flags.databaseUrl }),
          rulesFiles: flags.rules,
          builtinRules: flags.builtinRules,
          ...(flags.minPriority === undefined ? {} : { detector: { minPriority: flags.minPriority as 'INFO' } }),
          ...(flags.tlsCertFile === undefined
            ? {}
            : {
                listen: {
                  port: flags.port,
                  host: flags.host,
                  certFile: flags.tlsCertFile,
                  keyFile: flags.tlsPrivateKeyFile!,
                  path: flags.path,
                  ...(flags.clientCaFile === undefined ? {} : { clientCaFile: flags.clientCaFile }),
                  ...(flags.tokenFile === undefined ? {} : { tokenFile: flags.tokenFile }),
                },
              }),
          follow: flags.follow,
          followFromStart: flags.followFromEnd !== true,
          alertsToStdout: flags.stdoutAlerts,
          ...(flags.alertWebhook === undefined
            ? {}
            : {
                alertWebhook: {
                  url: flags.alertWebhook,
                  ...(flags.alertWebhookCaFile === undefined ? {} : { caFile: flags.alertWebhookCaFile }),
                  ...(flags.alertWebhookTokenFile === undefined ? {} : { tokenFile: flags.alertWebhookTokenFile }),
                },
              }),
          log,
        });
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            process.off('SIGTERM', stop);
            process.off('SIGINT', stop);
            void running.close().then(resolve);
          };
          process.on('SIGTERM', stop);
          process.on('SIGINT', stop);
        });
      }),
  );

  audit.addCommand(
    new Command('detect')
      .summary('replay audit event files through the rules')
      .description('Replay audit events from files (JSON or JSON lines; audit.k8s.io v1 and v1beta1; - for stdin) through the rules and print the alerts.')
      .argument('<files...>', 'audit event files')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--rules <file>', 'rules file applied after the built-in rules (repeatable)', collect, [])
      .option('--no-builtin-rules', 'use only the rules files given')
      .addOption(priorityOption('--min-priority <priority>', 'run only rules at or above this priority'))
      .addOption(priorityOption('--fail-on <priority>', 'exit 1 when an alert is at or above this priority'))
      .option('--max-line-bytes <n>', 'longest accepted line of a JSON-lines file (default 8388608)', bytes)
      .addHelpText(
        'after',
        `
Examples:
  $ bulwark audit detect audit.log --format json
  $ kubectl get --raw /logs/kube-apiserver-audit.log | bulwark audit detect - --fail-on WARNING

Exit codes: 0 no alert at or above --fail-on, 1 alerts at or above it, 2 usage error or malformed input (reported on stderr with file and line; the other events are still checked).`,
      )
      .action(async (files: string[], flags: DetectFlags) => {
        requireSomeRules(flags);
        const { detectFiles, detectJson, PRIORITIES } = await auditModule();
        const report = await detectFiles(files, {
          rulesFiles: flags.rules,
          builtinRules: flags.builtinRules,
          ...(flags.minPriority === undefined ? {} : { detector: { minPriority: flags.minPriority as 'INFO' } }),
          ...(flags.maxLineBytes === undefined ? {} : { maxLineBytes: flags.maxLineBytes }),
        });
        for (const problem of report.problems) process.stderr.write(`${problem.where}: error: ${problem.message}\n`);
        if (report.malformed > report.problems.length) process.stderr.write(`bulwark: ${report.malformed - report.problems.length} more malformed input(s) not shown\n`);
        for (const error of report.ruleErrors) process.stderr.write(`rule ${error.rule}: warning: failed on ${error.count} event(s): ${error.last}\n`);
        if (flags.format === 'json') await emit([detectJson(report)], undefined);
        else {
          const lines = report.alerts.map((a) => `${a.priority.padEnd(8)} ${a.rule}${a.falco === null ? '' : ` [Falco: ${a.falco}]`} ${a.auditID}\n         ${a.message}\n`);
          lines.push(`${report.alerts.length} alert(s) from ${report.events} event(s)${report.malformed > 0 ? `, ${report.malformed} malformed` : ''}\n`);
          await emit(lines, undefined);
        }
        const failRank = flags.failOn === undefined ? -1 : PRIORITIES.indexOf(flags.failOn as 'INFO');
        if (report.malformed > 0) process.exitCode = 2;
        else if (failRank >= 0 && report.alerts.some((a) => PRIORITIES.indexOf(a.priority) <= failRank)) process.exitCode = 1;
      }),
  );

  audit.addCommand(
    new Command('policy')
      .summary('print the recommended audit Policy')
      .description('Print the recommended audit Policy (audit.k8s.io/v1) for --audit-policy-file: RBAC changes at RequestResponse, Secrets and tokens at Metadata only.')
      .addHelpText('after', '\nExample:\n  $ bulwark audit policy > /etc/kubernetes/audit-policy.yaml')
      .action(async () => {
        const { recommendedAuditPolicyYaml } = await auditModule();
        await emit([recommendedAuditPolicyYaml()], undefined);
      }),
  );

  audit.addCommand(
    new Command('rules')
      .summary('list the detection rules')
      .description('List the detection rules (built-in and from rules files) with their Falco equivalents.')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
      .option('--rules <file>', 'rules file applied after the built-in rules (repeatable)', collect, [])
      .option('--no-builtin-rules', 'use only the rules files given')
      .addHelpText('after', '\nExample:\n  $ bulwark audit rules --format markdown')
      .action(async (flags: { format: 'text' | 'json' | 'markdown'; rules: string[]; builtinRules: boolean }) => {
        requireSomeRules(flags);
        const { createDetector } = await auditModule();
        const rules = createDetector({ builtin: flags.builtinRules, files: flags.rules }).rules;
        if (flags.format === 'json') {
          await emit([`${JSON.stringify({ rules: rules.map((r) => ({ id: r.id, title: r.title, falco: r.falco, falcoAliases: r.falcoAliases, priority: r.priority, description: r.description })) })}\n`], undefined);
        } else if (flags.format === 'markdown') {
          const escape = (text: string): string => text.replaceAll('|', '\\|');
          await emit(['| rule | priority | Falco equivalent | what |\n|---|---|---|---|\n', ...rules.map((r) => `| \`${r.id}\` | ${r.priority} | ${r.falco === null ? '—' : escape([r.falco, ...r.falcoAliases].join(' / '))} | ${escape(r.description)} |\n`)], undefined);
        } else {
          await emit(rules.map((r) => `${r.priority.padEnd(8)} ${r.id.padEnd(34)} ${r.falco ?? '—'}\n`), undefined);
        }
      }),
  );
  return audit;
}
