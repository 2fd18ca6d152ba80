// Every command's --help, walked through the real command tree: each one shows at least one example
// that runs `bulwark` itself, so a command added without one fails here rather than in a user's
// terminal. Also checks what every command shares: usage errors end in exit 2 with a pointer to the
// right help, not in process.exit().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from './main.ts';

interface Entry {
  path: string;
  command: Command;
}

function walk(command: Command, parents: readonly string[] = []): Entry[] {
  const path = [...parents, command.name()];
  return [{ path: path.join(' '), command }, ...command.commands.flatMap((sub) => walk(sub, path))];
}

/** The full help as the user sees it: commander's text plus what `addHelpText` appends. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

/**
 * Group commands whose files other work is changing and that have no example of their own yet: each
 * of their subcommands has one. Remove a name as soon as its example lands; the test below fails
 * while a name is listed but no longer needed, so this list can only shrink.
 */
const KNOWN_WITHOUT_EXAMPLE = new Set<string>([]);

/** An "Example:" or "Examples:" heading followed by a `$ …` line that runs bulwark (maybe after a pipe or env). */
const EXAMPLE_SECTION = /^Examples?:\n(?: {2}.*\n)*? {2}\$ (?:.*\s)?bulwark \S/m;

describe('bulwark --help, for every command', async () => {
  const entries = walk(await buildProgram());

  it('walks the whole tree (every top-level command and their subcommands)', () => {
    const top = entries.filter((e) => e.path.split(' ').length === 2).map((e) => e.path);
    for (const name of ['scan', 'controls', 'ledger', 'image', 'db', 'policy', 'key', 'ca', 'sign', 'attest', 'verify', 'admission', 'cluster', 'audit']) {
      assert.ok(top.includes(`bulwark ${name}`), `bulwark ${name} is registered`);
    }
    assert.ok(entries.length > 40, `only ${entries.length} commands found`);
  });

  for (const { path, command } of entries) {
    it(`${path} --help has an example`, () => {
      const help = helpOf(command);
      const has = EXAMPLE_SECTION.test(help);
      if (KNOWN_WITHOUT_EXAMPLE.has(path)) {
        assert.ok(!has, `${path} has an example now: remove it from KNOWN_WITHOUT_EXAMPLE`);
        return;
      }
      assert.ok(has, `${path} --help has no "Examples:" section with a "$ bulwark …" line:\n${help}`);
    });
  }

  it('every command ends a usage error with a CommanderError (exit 2 in main) pointing at its own help', async () => {
    for (const { path } of entries) {
      // A fresh tree each time: commander keeps parse state on its commands.
      const program = await buildProgram();
      let errors = '';
      for (const { command } of walk(program)) command.configureOutput({ writeOut: () => {}, writeErr: (chunk) => (errors += chunk), outputError: (chunk) => (errors += chunk) });
      const argv = [...path.split(' ').slice(1), '--bulwark-no-such-flag'];
      await assert.rejects(program.parseAsync(argv, { from: 'user' }), (error: unknown) => {
        assert.equal((error as { name?: string }).name, 'CommanderError', `${path}: ${String(error)}`);
        return true;
      });
      assert.ok(errors.includes(`(run "${path} --help" for usage)`), `${path} points at its help:\n${errors}`);
    }
  });
});
