import { Command, Option } from 'commander';
import { emit } from './output.ts';

export function controlsCommand(): Command {
  return new Command('controls')
    .summary('list the control catalog')
    .description('List every control Bulwark evaluates (the catalog of `scan` and `cluster scan`, and the controls only `cluster scan` or `image scan` evaluate), with its severity, area and framework ids.')
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
      const [{ catalogListing }, { clusterControls }, { imageControls }, { formatControlsJson, formatControlsMarkdown, formatControlsTable }] = await Promise.all([
        import('../checks/catalog.ts'),
        import('../cluster/controls.ts'),
        import('../image/checks/config.ts'),
        import('../report/index.ts'),
      ]);
      const controls = catalogListing({ cluster: clusterControls, image: imageControls });
      const text =
        flags.format === 'json'
          ? formatControlsJson(controls)
          : flags.format === 'markdown'
            ? formatControlsMarkdown(controls)
            : formatControlsTable(controls);
      await emit([text], flags.output);
    });
}
