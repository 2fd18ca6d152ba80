// The help of the commands in this folder lays out well: commander wraps descriptions to the
// terminal, so a hard line break inside a paragraph makes ragged text; examples are one per line
// and use the option names the help lists.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { admissionCommand } from './admission.ts';
import { attestCommand } from './attest.ts';
import { caCommand } from './ca.ts';
import { dbCommand } from './db.ts';
import { imageCommand } from './image.ts';
import { keyCommand } from './key.ts';
import { policyCommand } from './policy.ts';
import { signCommand } from './sign.ts';
import { verifyCommand } from './verify.ts';

function* walk(command: Command, path: string[] = []): Generator<[string, Command]> {
  const here = [...path, command.name()];
  yield [here.join(' '), command];
  for (const sub of command.commands) yield* walk(sub, here);
}

const roots = [policyCommand, keyCommand, caCommand, signCommand, attestCommand, verifyCommand, dbCommand, imageCommand, admissionCommand];
const commands = roots.flatMap((make) => [...walk(make())]);

function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: () => undefined });
  command.outputHelp();
  return text;
}

describe('help layout', () => {
  it('descriptions break lines only between paragraphs', () => {
    for (const [name, command] of commands) {
      const ragged = /[^\n]\n(?!\n)/.exec(command.description());
      assert.equal(ragged, null, `${name}: a line break inside a paragraph of the description; join the lines, or leave an empty line between paragraphs`);
    }
  });

  it('verify image examples are one per line and use the listed flag names', () => {
    const verifyImage = commands.find(([name]) => name === 'verify image')![1];
    const help = helpOf(verifyImage);
    const examples = help.slice(help.indexOf('Examples:')).split('\n').slice(1);
    for (const line of examples) {
      if (line.trim() === '' || line.startsWith('Exit codes:')) continue;
      assert.match(line, /^ {2}\$ bulwark verify image /, `an example per line, not a continuation: ${JSON.stringify(line)}`);
      assert.doesNotMatch(line, /--certificate-/, 'the help lists --cert-identity and --cert-oidc-issuer; examples use them');
    }
    assert.match(help, /--trusted-root trusted_root\.json --cert-identity ci@example\.com --cert-oidc-issuer https:\/\/idp\.example\.com/);
  });
});
