import { Command, CommanderError } from 'commander';
import { BulwarkError } from '../core/index.ts';
import { admissionCommand } from './admission.ts';
import { attestCommand } from './attest.ts';
import { auditCommand } from './audit.ts';
import { caCommand } from './ca.ts';
import { clusterCommand } from './cluster.ts';
import { controlsCommand } from './controls.ts';
import { dbCommand } from './db.ts';
import { imageCommand } from './image.ts';
import { keyCommand } from './key.ts';
import { ledgerCommand } from './ledger.ts';
import { policyCommand } from './policy.ts';
import { scanCommand } from './scan.ts';
import { signCommand } from './sign.ts';
import { verifyCommand } from './verify.ts';
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
  program.addCommand(ledgerCommand());
  // The image engine itself is imported by the action, so other commands do not pay for it.
  program.addCommand(imageCommand());
  // The vulnerability database module is imported by each action, like the image engine.
  program.addCommand(dbCommand());
  // The policy engine and the CEL environment are imported by each action.
  program.addCommand(policyCommand());
  // Chain of trust: the signing and verification modules are imported by each action.
  program.addCommand(keyCommand());
  program.addCommand(caCommand());
  program.addCommand(signCommand());
  program.addCommand(attestCommand());
  program.addCommand(verifyCommand());
  // The webhook, its server and the engines it runs are imported by each action.
  program.addCommand(admissionCommand());
  // The cluster client and the Kubernetes client library are imported by each action.
  program.addCommand(clusterCommand());
  // The audit receiver, its rules and the CEL environment are imported by each action.
  program.addCommand(auditCommand());
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
