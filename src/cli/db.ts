import { Command, InvalidArgumentError, Option } from 'commander';
import { BulwarkError } from '../core/index.ts';
import { emit } from './output.ts';
import { Progress } from './terminal.ts';

interface CommonFlags {
  db?: string;
  format: 'table' | 'json';
  maxAge?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function dbOption(): Option {
  return new Option('--db <file>', 'vulnerability database (default: $BULWARK_DB, else ~/.cache/bulwark/vuln.db under $XDG_CACHE_HOME)');
}

function formatOption(): Option {
  return new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table');
}

function maxAgeOption(): Option {
  return new Option('--max-age <duration>', 'warn when data is older than this (e.g. 12h, 7d; default 7d, or $BULWARK_DB_MAX_AGE)');
}

async function load() {
  return import('../vuln/index.ts');
}

/** Parsed by commander, so help shows the default as a number and a bad value is a usage error (exit 2). */
function positiveInt(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a positive whole number is needed');
  return n;
}

export function dbCommand(): Command {
  const command = new Command('db')
    .summary('manage the local vulnerability database (OSV)')
    .description('Load OSV advisories into the local database that `bulwark image scan --db` matches packages against.')
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark db update --ecosystem Debian --ecosystem npm
  $ bulwark db import ./osv-exports/PyPI.zip
  $ bulwark db status --format json`,
    );

  command.addCommand(
    new Command('import')
      .summary('load OSV records from files')
      .description(
        'Load OSV records from a directory of .json files, a .zip export (as osv.dev publishes per ecosystem), JSON lines, or a .json file. ' +
          'Loading the same path again replaces what it loaded before; withdrawn records are removed.',
      )
      .argument('<paths...>', 'directories, .zip, .jsonl or .json files')
      .addOption(dbOption())
      .addOption(formatOption())
      .addHelpText(
        'after',
        `
Examples:
  $ bulwark db import Debian.zip npm.zip
  $ bulwark db import ./advisories/ --db ./vuln.db

Invalid records are skipped with a warning each; the valid ones are loaded.
Exit codes: 0 records were loaded (even if some were skipped), 2 nothing could be loaded or a path could not be read.`,
      )
      .action(async (paths: string[], flags: CommonFlags) => {
        const vuln = await load();
        const db = vuln.VulnDb.open(flags.db ?? vuln.defaultDbPath(), { create: true });
        const progress = new Progress();
        const summaries = [];
        try {
          for (const path of paths) {
            summaries.push(
              await vuln.importOsv(db, path, { origin: 'import', now: new Date(), onProgress: (n) => progress.update(`Importing ${path}`, n, n) }),
            );
            progress.done();
          }
        } finally {
          progress.done();
          db.close();
        }
        await emit([renderSummaries(summaries, flags.format, db.path)], undefined);
        printProblems(summaries);
        const loaded = summaries.reduce((n, s) => n + s.records + s.withdrawn, 0);
        if (loaded === 0) {
          const invalid = summaries.reduce((n, s) => n + s.invalid, 0);
          throw new BulwarkError(
            'E_INPUT',
            invalid > 0
              ? `nothing was loaded: all ${invalid} ${invalid === 1 ? 'record' : 'records'} in ${paths.join(', ')} ${invalid === 1 ? 'is' : 'are'} invalid (see the warnings above)`
              : `nothing was loaded: no OSV records in ${paths.join(', ')}`,
          );
        }
      }),
  );

  command.addCommand(
    new Command('update')
      .summary('download OSV exports from a mirror and load them')
      .description(
        'Download OSV exports and load them. --ecosystem E fetches MIRROR/E/all.zip (osv.dev layout); --from URL fetches any .zip, ' +
          'JSON lines or .json URL. Without either, every source downloaded before is refreshed (unchanged ones are not fetched again).',
      )
      .option('--from <url>', 'URL of an export to download; repeatable', collect, [])
      .option('-e, --ecosystem <name>', 'OSV ecosystem to download from the mirror (Debian, Alpine, npm, PyPI, Go, Maven, …); repeatable', collect, [])
      .option('--mirror <url>', 'base URL of a mirror with osv.dev\'s layout (default: $BULWARK_OSV_MIRROR, else osv.dev\'s bucket)')
      .option('--sha256 <hex>', 'expected SHA-256 of the download (with a single --from)')
      .option('--timeout <seconds>', 'give up a download after this many seconds', positiveInt, 600)
      .option('--max-size <mib>', 'refuse downloads larger than this many MiB', positiveInt, 4096)
      .option('--allow-insecure-http', 'accept plain http:// mirrors beyond loopback addresses')
      .addOption(dbOption())
      .addOption(formatOption())
      .addHelpText(
        'after',
        `
Examples:
  $ bulwark db update --ecosystem Debian --ecosystem Alpine --ecosystem npm
  $ bulwark db update --from https://mirror.example.com/osv/PyPI/all.zip
  $ bulwark db update                       # refresh everything downloaded before`,
      )
      .action(
        async (flags: CommonFlags & { from: string[]; ecosystem: string[]; mirror?: string; sha256?: string; timeout: number; maxSize: number; allowInsecureHttp?: boolean }) => {
          const vuln = await load();
          if (flags.sha256 !== undefined && (flags.from.length !== 1 || flags.ecosystem.length > 0)) {
            throw new BulwarkError('E_USAGE', '--sha256 needs exactly one --from URL');
          }
          const db = vuln.VulnDb.open(flags.db ?? vuln.defaultDbPath(), { create: true });
          const results = [];
          try {
            const mirror = flags.mirror ?? process.env.BULWARK_OSV_MIRROR ?? vuln.DEFAULT_MIRROR;
            let urls = [...flags.from, ...flags.ecosystem.map((e) => vuln.mirrorUrl(mirror, e))];
            if (urls.length === 0) urls = vuln.downloadedSources(db);
            if (urls.length === 0) {
              throw new BulwarkError('E_USAGE', 'nothing to update: name --ecosystem or --from (no source was downloaded before)');
            }
            const progress = new Progress();
            for (const url of urls) {
              results.push(
                await vuln.updateFromUrl(db, url, {
                  now: new Date(),
                  timeoutMs: flags.timeout * 1000,
                  maxBytes: flags.maxSize * 1024 * 1024,
                  allowInsecureHttp: flags.allowInsecureHttp === true,
                  sha256: flags.sha256,
                  onProgress: (n) => progress.update(`Loading ${url}`, n, n),
                }),
              );
              progress.done();
            }
          } finally {
            db.close();
          }
          await emit([renderSummaries(results, flags.format, db.path)], undefined);
          printProblems(results);
        },
      ),
  );

  command.addCommand(
    new Command('status')
      .summary('show sources, counts and age of the database')
      .description('Show where the database is, its sources with their record counts and age, and counts per ecosystem. Warns when data is stale.')
      .addOption(dbOption())
      .addOption(formatOption())
      .addOption(maxAgeOption())
      .addHelpText(
        'after',
        `
Examples:
  $ bulwark db status
  $ bulwark db status --max-age 1d --format json`,
      )
      .action(async (flags: CommonFlags) => {
        const vuln = await load();
        const maxAge = flags.maxAge ?? process.env.BULWARK_DB_MAX_AGE;
        const maxAgeMs = maxAge === undefined ? vuln.DEFAULT_MAX_AGE_MS : vuln.parseDuration(maxAge);
        const db = vuln.VulnDb.open(flags.db ?? vuln.defaultDbPath(), { readOnly: true });
        let status;
        try {
          status = vuln.dbStatus(db, new Date(), maxAgeMs);
        } finally {
          db.close();
        }
        for (const warning of vuln.staleWarnings(status)) process.stderr.write(`bulwark: warning: ${warning}\n`);
        if (flags.format === 'json') {
          await emit([`${JSON.stringify(status, null, 2)}\n`], undefined);
          return;
        }
        const lines = [
          `Database  ${status.path} (schema ${status.schemaVersion})`,
          `Records   ${status.vulnerabilities} vulnerabilities, ${status.affectedPackages} affected packages`,
          '',
          'Sources',
        ];
        for (const s of status.sources) {
          lines.push(
            `  ${s.location}`,
            `    ${s.kind}, ${s.origin}ed ${s.refreshedAt} (${vuln.formatAge(s.ageMs)} ago${s.stale ? ', STALE' : ''}); ${s.records} records, ${s.withdrawn} withdrawn, ${s.invalid} invalid`,
          );
        }
        if (status.sources.length === 0) lines.push('  (none)');
        lines.push('', 'Ecosystems');
        for (const e of status.ecosystems) lines.push(`  ${e.ecosystem.padEnd(16)} ${e.vulnerabilities}`);
        await emit([`${lines.join('\n')}\n`], undefined);
      }),
  );
  for (const sub of command.commands) sub.exitOverride();
  return command;
}

type Summary = Awaited<ReturnType<Awaited<ReturnType<typeof load>>['importOsv']>> | Awaited<ReturnType<Awaited<ReturnType<typeof load>>['updateFromUrl']>>;

function renderSummaries(summaries: Summary[], format: 'table' | 'json', path: string): string {
  if (format === 'json') return `${JSON.stringify({ database: path, sources: summaries }, null, 2)}\n`;
  const lines = summaries.map((s) =>
    'notModified' in s && s.notModified
      ? `${s.location}: not modified since the last update`
      : `${s.location}: ${(s as { records: number }).records} records loaded, ${(s as { withdrawn: number }).withdrawn} withdrawn, ${(s as { invalid: number }).invalid} invalid (${Math.round((s as { durationMs: number }).durationMs)} ms)`,
  );
  return `${lines.join('\n')}\nDatabase: ${path}\n`;
}

function printProblems(summaries: Summary[]): void {
  for (const s of summaries) {
    if (!('problems' in s)) continue;
    for (const problem of s.problems) process.stderr.write(`bulwark: warning: skipped invalid record: ${problem}\n`);
    if (s.invalid > s.problems.length) process.stderr.write(`bulwark: warning: … and ${s.invalid - s.problems.length} more invalid records in ${s.location}\n`);
  }
}
