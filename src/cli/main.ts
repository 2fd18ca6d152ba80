import { Command, CommanderError } from 'commander';
import { describeFailure, EXIT_USAGE, isBrokenPipe } from './failure.ts';
import { toolVersion } from './version.ts';

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
  configureTree(program, []);
  return program;
}

/**
 * Settings every command needs, however deep and whoever wrote it: errors end in main() (exit 2)
 * rather than in process.exit(1), and a usage error says where the help is.
 */
function configureTree(command: Command, parents: readonly string[]): void {
  const path = [...parents, command.name()];
  command.exitOverride().showHelpAfterError(`(run "${path.join(' ')} --help" for usage)`);
  for (const sub of command.commands) configureTree(sub, path);
}

export async function main(argv: readonly string[]): Promise<number> {
  // `bulwark … | head` closes stdout early; writes that were not awaited fail on the stream itself,
  // possibly after main() returned, so the listener stays.
  if (!process.stdout.listeners('error').includes(ignoreBrokenPipe)) process.stdout.on('error', ignoreBrokenPipe);
  try {
    const named = COMMANDS.find(([name]) => name === argv[0])?.[0];
    await (await buildProgram(named)).parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with code 0; every other commander error is usage.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (isBrokenPipe(error)) return typeof process.exitCode === 'number' ? process.exitCode : 0;
    const failure = describeFailure(error);
    process.stderr.write(failure.text);
    return failure.exitCode;
  }
}

function ignoreBrokenPipe(error: Error): void {
  if (!isBrokenPipe(error)) throw error;
}
