import { Command, Option } from 'commander';
import { BulwarkError } from '../core/errors.ts';
import { emit, printDiagnostics } from './output.ts';
import { useColor } from './terminal.ts';
import { toolVersion } from './version.ts';

export function policyCommand(): Command {
  const policy = new Command('policy')
    .summary('test and check ValidatingAdmissionPolicies')
    .description(
      'Work with custom policies written as Kubernetes ValidatingAdmissionPolicies (CEL), the same files ' +
        '`bulwark scan --policy` evaluates offline and the admission webhook enforces.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark policy test examples/policies
  $ bulwark policy lint policies/`,
    );
  policy.addCommand(testCommand());
  policy.addCommand(lintCommand());
  for (const command of policy.commands) command.exitOverride();
  return policy;
}

function testCommand(): Command {
  return new Command('test')
    .summary('run policies against fixtures and compare the outcomes')
    .description(
      'Find bulwark-test.yaml files under the given paths (default: the current directory), evaluate their ' +
        'policies on their resources and compare each outcome (pass, fail, error, skip) with the expected one.',
    )
    .argument('[paths...]', 'test files or directories to search for bulwark-test.yaml', [])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-o, --output <file>', 'write the results to a file instead of stdout')
    .option('--no-color', 'never use colours in the table')
    .addHelpText(
      'after',
      `
Example bulwark-test.yaml:
  apiVersion: bulwark.dev/v1alpha1
  kind: PolicyTest
  metadata: {name: replica-limit}
  policies: [policy.yaml]
  params: [params.yaml]
  resources: [resources.yaml]
  results:
    - policy: replica-limit
      resources: [Deployment/shop/web]
      result: fail
      message: replicas must be at most 5, not 8

Examples:
  $ bulwark policy test examples/policies
  $ bulwark policy test tests/replica-limit/bulwark-test.yaml --format json

Exit codes: 0 every outcome as expected, 1 an outcome differed, 2 a test or policy file could not be read.`,
    )
    .action(async (paths: string[], flags: { format: 'table' | 'json'; output?: string; color: boolean }) => {
      const [{ runPolicyTests }, { formatTestJson, formatTestTable }] = await Promise.all([
        import('../policy/test-runner.ts'),
        import('../policy/test-report.ts'),
      ]);
      const run = await runPolicyTests(paths, { cwd: process.cwd() });
      printDiagnostics(run.diagnostics);
      const text =
        flags.format === 'json'
          ? formatTestJson(run, { name: 'bulwark', version: toolVersion })
          : formatTestTable(run, { color: flags.color && flags.output === undefined && useColor(process.stdout) });
      await emit([text], flags.output);
      process.exitCode = run.exitCode;
    });
}

function lintCommand(): Command {
  return new Command('lint')
    .summary('compile policies and report every error')
    .description(
      'Read ValidatingAdmissionPolicies and bindings from files and directories and compile every CEL ' +
        'expression; errors name the policy, the field and the line and column inside the expression.',
    )
    .argument('<paths...>', 'policy files or directories')
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark policy lint policies/
  $ bulwark policy lint examples/policies/replica-limit/policy.yaml

Exit codes: 0 every policy compiles, 2 an error was found or no policy was found.`,
    )
    .action(async (paths: string[]) => {
      const { loadPolicySet } = await import('../policy/index.ts');
      const { set, diagnostics } = await loadPolicySet(paths, { cwd: process.cwd() });
      printDiagnostics(diagnostics);
      const errors = diagnostics.filter((d) => d.level === 'error').length;
      const line = `${set.policies.length} ${set.policies.length === 1 ? 'policy' : 'policies'}, ${set.bindings.length} ${set.bindings.length === 1 ? 'binding' : 'bindings'}, ${errors} ${errors === 1 ? 'error' : 'errors'}\n`;
      await emit([line], undefined);
      // Like `policy test` with no test file: a mistyped path must not pass as "nothing to complain about".
      if (errors === 0 && set.policies.length === 0) {
        throw new BulwarkError('E_INPUT', `no ValidatingAdmissionPolicy found in ${paths.join(', ')}; give the files or directories that hold the policies`);
      }
      process.exitCode = errors > 0 ? 2 : 0;
    });
}
