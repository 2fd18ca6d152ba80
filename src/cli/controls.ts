import { Command, Option } from 'commander';
import { emit } from './output.ts';

export function controlsCommand(): Command {
  return new Command('controls')
    .summary('list the control catalog')
    .description('List every control Bulwark evaluates, with its severity, area and framework ids.')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'markdown']).default('table'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark controls
  $ bulwark controls --format json | jq '.controls[] | select(.frameworks.pss == "baseline") | .id'
  $ bulwark controls --format markdown --output docs/controls.md`,
    )
    .action(async (flags: { format: 'table' | 'json' | 'markdown'; output?: string }) => {
      const [{ allControls }, { formatControlsJson, formatControlsMarkdown, formatControlsTable }] = await Promise.all([
        import('../checks/catalog.ts'),
        import('../report/index.ts'),
      ]);
      const text =
        flags.format === 'json'
          ? formatControlsJson(allControls)
          : flags.format === 'markdown'
            ? formatControlsMarkdown(allControls)
            : formatControlsTable(allControls);
      await emit([text], flags.output);
    });
}
