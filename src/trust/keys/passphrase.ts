import { BulwarkError } from '../../core/index.ts';
import type { PassphraseSource } from './private-key.ts';

export const DEFAULT_PASSPHRASE_ENV = 'BULWARK_PASSPHRASE';

export interface PassphraseOptions {
  /** Read the passphrase from the first line of stdin. */
  stdin?: boolean;
  /** Environment variable to read it from (default BULWARK_PASSPHRASE). */
  env?: string;
  /** Ask twice when creating a key, so a typo does not lock the key away. */
  confirm?: boolean;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  environment?: NodeJS.ProcessEnv;
}

const MAX_PASSPHRASE_BYTES = 4096;

/**
 * Where a passphrase comes from, in order: `--passphrase-stdin`, the environment variable, an
 * interactive prompt on a terminal. Resolved at most once, and only when a key needs it.
 */
export function passphraseSource(options: PassphraseOptions = {}): PassphraseSource {
  let cached: Promise<Uint8Array> | undefined;
  return () => (cached ??= resolvePassphrase(options));
}

async function resolvePassphrase(options: PassphraseOptions): Promise<Uint8Array> {
  const input = options.input ?? process.stdin;
  const environment = options.environment ?? process.env;
  if (options.stdin === true) return Buffer.from(await readFirstLine(input));
  const name = options.env ?? DEFAULT_PASSPHRASE_ENV;
  const fromEnv = environment[name];
  if (fromEnv !== undefined) return Buffer.from(fromEnv);
  if (input.isTTY !== true) {
    throw new BulwarkError('E_USAGE', `a passphrase is needed: pass --passphrase-stdin or set ${name} (no terminal to prompt on)`);
  }
  const output = options.output ?? process.stderr;
  const first = await promptHidden(input, output, 'Passphrase: ');
  if (options.confirm === true) {
    const second = await promptHidden(input, output, 'Passphrase again: ');
    if (first !== second) throw new BulwarkError('E_USAGE', 'the two passphrases differ');
  }
  return Buffer.from(first);
}

async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const newline = text.search(/\r?\n/);
    if (newline >= 0) return text.slice(0, newline);
    if (text.length > MAX_PASSPHRASE_BYTES) throw new BulwarkError('E_TOO_LARGE', `the passphrase on stdin is longer than ${MAX_PASSPHRASE_BYTES} bytes`);
  }
  return text;
}

/** Reads one line from a terminal without echoing it. */
function promptHidden(input: NodeJS.ReadStream, output: NodeJS.WriteStream, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    let text = '';
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    const finish = (error?: Error): void => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error === undefined) resolve(text);
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new BulwarkError('E_USAGE', 'interrupted'));
        if (char === '\u007f' || char === '\b') text = text.slice(0, -1);
        else if (text.length < MAX_PASSPHRASE_BYTES) text += char;
      }
    };
    input.on('data', onData);
  });
}
