// `npm run testenv -- up|down`: a real control plane for a person, kept running until Ctrl-C or `down`.
// Flag parsing and printing only; the work is in control-plane.ts and session.ts.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { BulwarkError } from '../src/core/errors.ts';
import { defaultSessionDir, stopSession } from './session.ts';

interface UpFlags {
  dir?: string;
  encrypt: boolean;
  auditLog: boolean;
  timeout: number;
}

/** Parsed by commander, so a bad value is a usage error that points at the help. */
function seconds(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return parsed;
}

function upCommand(): Command {
  return new Command('up')
    .description('Start etcd and kube-apiserver on loopback and keep them running until Ctrl-C or `testenv down`.')
    .option('--dir <dir>', 'directory for certificates, data, logs and the kubeconfig (default: one per user in the temp dir)')
    .option('--encrypt', 'encrypt Secrets at rest with a fresh aescbc key', false)
    .option('--audit-log', 'write audit events (Metadata level) to <dir>/audit.log', false)
    .option('--timeout <seconds>', 'give up when not ready within this time', seconds, 60)
    .addHelpText(
      'after',
      `
Examples:
  $ npm run testenv -- up
  $ npm run testenv -- up --dir ./cp --encrypt
  $ KUBECONFIG=./cp/kubeconfig kubectl --context restricted get pods   # forbidden: no bindings`,
    )
    .action(async (flags: UpFlags) => {
      const timeout = flags.timeout;
      // Loaded here so --help and `down` do not pay for the certificate library.
      const [{ startControlPlane }, { encryptionConfiguration }] = await Promise.all([import('./control-plane.ts'), import('./apiserver-config.ts')]);
      const plane = await startControlPlane({
        dir: flags.dir ?? defaultSessionDir(),
        startTimeoutMs: timeout * 1000,
        ...(flags.encrypt ? { encryption: encryptionConfiguration('aescbc') } : {}),
        ...(flags.auditLog ? { audit: { log: true } } : {}),
      });
      process.stdout.write(
        [
          `control plane ready in ${(plane.timings.totalMs / 1000).toFixed(1)} s`,
          `  server:     ${plane.server}`,
          `  kubeconfig: ${plane.kubeconfigPath}   (contexts: ${plane.admin.context}, ${plane.restricted.context})`,
          `  etcd:       ${plane.etcd.endpoint}   (client cert ${plane.etcd.certPath})`,
          `  logs:       ${plane.logs.kubeApiserver}, ${plane.logs.etcd}`,
          '',
          `  export KUBECONFIG=${plane.kubeconfigPath}`,
          '',
          `Ctrl-C or \`npm run testenv -- down${flags.dir !== undefined ? ` --dir ${flags.dir}` : ''}\` stops it.`,
          '',
        ].join('\n'),
      );
      // The children do not hold the event loop open (so a forgetful test cannot hang): this does.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      const signalled = new Promise<string>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve(signal));
      });
      const outcome = await Promise.race([signalled.then((signal) => ({ signal })), plane.exited.then((exit) => ({ exit }))]);
      clearInterval(keepAlive);
      await plane.stop();
      if ('exit' in outcome) {
        process.stderr.write(`testenv: ${outcome.exit.name} exited unexpectedly (${outcome.exit.status.signal ?? `code ${outcome.exit.status.code}`}); see its log above\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write('control plane stopped\n');
    });
}

function downCommand(): Command {
  return new Command('down')
    .description('Stop the control plane that `testenv up` runs in a directory.')
    .option('--dir <dir>', 'the directory given to `up` (default: the per-user one)')
    .addHelpText('after', '\nExamples:\n  $ npm run testenv -- down\n  $ npm run testenv -- down --dir ./cp')
    .action(async (flags: { dir?: string }) => {
      const result = await stopSession(flags.dir ?? defaultSessionDir());
      if (!result.stopped) {
        // Nothing to stop is a wrong --dir (or a stale one), not a failure of the control plane.
        throw new BulwarkError('E_USAGE', `${result.reason}; give the --dir that \`up\` was started with (run "npm run testenv -- down --help" for usage)`);
      }
      process.stdout.write(`stopped the control plane of pid ${result.ownerPid}\n`);
    });
}

export function buildProgram(): Command {
  const program = new Command('testenv')
    .description('A real Kubernetes control plane (etcd + kube-apiserver from testenv/build.sh) on loopback.')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nExamples:\n  $ npm run testenv -- up\n  $ npm run testenv -- down')
    .exitOverride();
  program.addCommand(upCommand());
  program.addCommand(downCommand());
  for (const command of program.commands) command.exitOverride().showHelpAfterError(`(run "npm run testenv -- ${command.name()} --help" for usage)`);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof BulwarkError) {
      process.stderr.write(`testenv: ${error.toString()}\n`);
      return error.code === 'E_USAGE' || error.code === 'E_INPUT' || error.code === 'E_TOOL_MISSING' ? 2 : 1;
    }
    process.stderr.write(`testenv: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 3;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
