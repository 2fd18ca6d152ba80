import { Command, CommanderError } from 'commander';
import { BulwarkError } from '../core/index.ts';
import { toolVersion } from './version.ts';

const USAGE_EXIT = 2;

/**
 * Every command, in the order `--help` lists them, each from its own module. A run loads only the
 * module of the command it runs (module loading is a good part of a short command's time); `--help`,
 * `--version` and mistyped commands load them all. Each command imports its engine in its action.
 */
const COMMANDS: readonly (readonly [name: string, load: () => Promise<Command>])[] = [
  ['scan', async () => (await import('./scan.ts')).scanCommand()],
  ['controls', async () => (await import('./controls.ts')).controlsCommand()],
  ['ledger', async () => (await import('./ledger.ts')).ledgerCommand()],
  ['image', async () => (await import('./image.ts')).imageCommand()],
  ['db', async () => (await import('./db.ts')).dbCommand()],
  ['policy', async () => (await import('./policy.ts')).policyCommand()],
  ['key', async () => (await import('./key.ts')).keyCommand()],
  ['ca', async () => (await import('./ca.ts')).caCommand()],
  ['sign', async () => (await import('./sign.ts')).signCommand()],
  ['attest', async () => (await import('./attest.ts')).attestCommand()],
  ['verify', async () => (await import('./verify.ts')).verifyCommand()],
  ['admission', async () => (await import('./admission.ts')).admissionCommand()],
  ['cluster', async () => (await import('./cluster.ts')).clusterCommand()],
  ['audit', async () => (await import('./audit.ts')).auditCommand()],
];

/** The program with every command, or only the one named `only`. */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('bulwark')
    .description('Secure Kubernetes workloads from the developer\'s laptop to the running cluster.')
    .version(toolVersion, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark scan examples/
  $ bulwark controls --format markdown`,
    )
    .exitOverride();
  const chosen = COMMANDS.filter(([name]) => only === undefined || name === only);
  for (const command of await Promise.all(chosen.map(([, load]) => load()))) program.addCommand(command);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const named = COMMANDS.find(([name]) => name === argv[0])?.[0];
    await (await buildProgram(named)).parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with code 0; every other commander error is usage.
      return error.exitCode === 0 ? 0 : USAGE_EXIT;
    }
    if (error instanceof BulwarkError) {
      process.stderr.write(`bulwark: ${error.toString()}\n`);
      return error.code === 'E_INTERNAL' ? 3 : USAGE_EXIT;
    }
    process.stderr.write(`bulwark: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 3;
  }
}
