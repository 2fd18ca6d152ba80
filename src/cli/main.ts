import { Command, CommanderError } from 'commander';
import { BulwarkError } from '../core/index.ts';
import { controlsCommand } from './controls.ts';
import { scanCommand } from './scan.ts';
import { toolVersion } from './version.ts';

const USAGE_EXIT = 2;

export function buildProgram(): Command {
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
  program.addCommand(scanCommand());
  program.addCommand(controlsCommand());
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[], { from: 'user' });
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
