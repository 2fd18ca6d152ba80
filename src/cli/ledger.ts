import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { BulwarkError } from '../core/errors.ts';
import { systemErrorReason } from './failure.ts';
import { emit } from './output.ts';
import { Progress } from './terminal.ts';

// Every subcommand loads the ledger module only when it runs, so `bulwark --help` stays instant.
const ledgerModule = () => import('../ledger/index.ts');

const dirOption = (): Option => new Option('-d, --dir <dir>', 'ledger directory').makeOptionMandatory();
const urlOption = (): Option => new Option('--database-url <url>', 'PostgreSQL URL for a ledger stored there (default: $BULWARK_LEDGER_DATABASE_URL)');
const collect = (value: string, previous: string[]): string[] => [...previous, value];

function integer(name: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return Number(value);
  };
}

function readText(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const name = file === '-' ? '<stdin>' : file;
    throw new BulwarkError('E_INPUT', `cannot read: ${systemErrorReason(error as NodeJS.ErrnoException)}`, { location: { file: name }, cause: error });
  }
}

export function ledgerCommand(): Command {
  const ledger = new Command('ledger')
    .summary('tamper-evident, encrypted security log')
    .description(
      'An append-only log of encrypted entries under an RFC 9162 Merkle tree, with signed C2SP checkpoints, ' +
        'inclusion and consistency proofs, per-subject data keys (crypto-shredding) and full or incremental verification.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark ledger init --dir ./audit-log
  $ kubectl get events -o json | jq -c '.items[]' | bulwark ledger append --dir ./audit-log --subject-field involvedObject.name --subject cluster
  $ bulwark ledger checkpoint --dir ./audit-log
  $ bulwark ledger prove --dir ./audit-log --entry 42 > proof.json && bulwark ledger verify-proof proof.json
  $ bulwark ledger verify --dir ./audit-log --witness ./witness.checkpoint`,
    );

  ledger.addCommand(
    new Command('init')
      .summary('create a ledger')
      .description('Create a ledger: its directory, signing key, key-encryption key and store.')
      .addOption(dirOption())
      .option('--origin <name>', 'log identity in checkpoints (default: bulwark.ledger/<random>)')
      .addOption(new Option('--store <kind>', 'where entries live').choices(['file', 'postgres']).default('file'))
      .option('--schema <name>', 'PostgreSQL schema (default bulwark_ledger)')
      .addOption(urlOption())
      .addOption(new Option('--durability <mode>', 'file store: fsync (survives power loss) or os (survives a crash of the process)').choices(['fsync', 'os']))
      .option('--checkpoint-every <entries>', 'sign a checkpoint after this many new entries (default 100000)', integer('--checkpoint-every'))
      .option('--checkpoint-interval <seconds>', 'and at most this long after a new entry (default 60; 0: no timer)', integer('--checkpoint-interval'))
      .addHelpText('after', '\nExample:\n  $ bulwark ledger init --dir ./audit-log --origin example.com/audit')
      .action(async (flags: { dir: string; origin?: string; store: 'file' | 'postgres'; schema?: string; databaseUrl?: string; durability?: 'fsync' | 'os'; checkpointEvery?: number; checkpointInterval?: number }) => {
        const { initLedger } = await ledgerModule();
        const config = await initLedger({
          dir: flags.dir,
          origin: flags.origin,
          store: flags.store,
          schema: flags.schema,
          databaseUrl: flags.databaseUrl,
          durability: flags.durability,
          checkpointEveryEntries: flags.checkpointEvery,
          checkpointEveryMs: flags.checkpointInterval === undefined ? undefined : flags.checkpointInterval * 1000,
        });
        await emit([`${JSON.stringify({ dir: flags.dir, origin: config.origin, verifierKey: config.verifierKey, store: config.store.kind })}\n`], undefined);
      }),
  );

  ledger.addCommand(
    new Command('append')
      .summary('append JSON lines from stdin or a file')
      .description('Append JSON lines (one event per line) from stdin or a file; prints the indexes assigned once they are durable.')
      .addOption(dirOption())
      .addOption(urlOption())
      .option('--subject <name>', 'subject (data-key owner) of every line, or of lines without --subject-field')
      .option('--subject-field <path>', 'dotted path of the subject in each line, e.g. user.username')
      .option('-i, --input <file>', 'read this file instead of stdin')
      .addHelpText('after', '\nExample:\n  $ echo \'{"user":{"username":"alice"},"verb":"delete"}\' | bulwark ledger append --dir ./audit-log --subject-field user.username')
      .action(async (flags: { dir: string; databaseUrl?: string; subject?: string; subjectField?: string; input?: string }) => {
        // Before the input is opened: an unread file stream would fail on its own, unheard.
        if (flags.subject === undefined && flags.subjectField === undefined) throw new BulwarkError('E_USAGE', 'give --subject NAME or --subject-field PATH');
        const { openLedger, appendJsonLines } = await ledgerModule();
        const { createReadStream } = await import('node:fs');
        const log = await openLedger({ dir: flags.dir, databaseUrl: flags.databaseUrl });
        try {
          const input = flags.input === undefined ? process.stdin : createReadStream(flags.input);
          const result = await appendJsonLines(log, input, { subject: flags.subject, subjectField: flags.subjectField, file: flags.input ?? '<stdin>' });
          await log.flush();
          const head = await log.head();
          await emit([`${JSON.stringify({ first: result.first ?? null, count: result.count, size: head.size })}\n`], undefined);
        } finally {
          await log.close();
        }
      }),
  );

  ledger.addCommand(
    new Command('checkpoint')
      .summary('sign a checkpoint of everything appended')
      .description('Sign a checkpoint (c2sp.org/tlog-checkpoint) of everything appended so far and print it.')
      .addOption(dirOption())
      .addOption(urlOption())
      .option('-o, --output <file>', 'also write it to this file')
      .addHelpText('after', '\nExample:\n  $ bulwark ledger checkpoint --dir ./audit-log > latest.checkpoint')
      .action(async (flags: { dir: string; databaseUrl?: string; output?: string }) => {
        const { openLedger } = await ledgerModule();
        const log = await openLedger({ dir: flags.dir, databaseUrl: flags.databaseUrl, checkpointOnClose: false });
        try {
          const checkpoint = await log.checkpoint();
          await emit([checkpoint.note], flags.output);
          if (flags.output !== undefined) await emit([checkpoint.note], undefined);
        } finally {
          await log.close();
        }
      }),
  );

  ledger.addCommand(
    new Command('read')
      .summary('print entries as JSON lines, decrypted')
      .description('Print entries as JSON lines, decrypted where the given key-encryption keys open them.')
      .addOption(dirOption())
      .addOption(urlOption())
      .option('--from <index>', 'first entry', integer('--from'))
      .option('--to <index>', 'stop before this entry', integer('--to'))
      .option('--kek <file>', 'key-encryption key file (repeatable; default: the ledger\'s own)', collect, [])
      .addHelpText('after', '\nExample:\n  $ bulwark ledger read --dir ./audit-log --from 100 --to 200 | jq .data')
      .action(async (flags: { dir: string; databaseUrl?: string; from?: number; to?: number; kek: string[] }) => {
        const { openLedger } = await ledgerModule();
        // Key files named on the command line are relative to where the user is, not to the ledger.
        const log = await openLedger({ dir: flags.dir, databaseUrl: flags.databaseUrl, readOnly: true, ...(flags.kek.length > 0 ? { kekFiles: flags.kek.map((file) => resolve(file)) } : {}) });
        try {
          const lines = async function* () {
            for await (const entry of log.read({ from: flags.from, to: flags.to })) {
              let data: unknown = null;
              if (entry.data !== undefined) {
                const text = entry.data.toString('utf8');
                try {
                  data = JSON.parse(text);
                } catch {
                  data = text;
                }
              }
              yield `${JSON.stringify({ index: entry.index, time: new Date(entry.time).toISOString(), status: entry.status, keyId: entry.keyId, subject: entry.subject ?? null, data })}\n`;
            }
          };
          const { Readable } = await import('node:stream');
          const { pipeline } = await import('node:stream/promises');
          await pipeline(Readable.from(lines()), process.stdout, { end: false });
        } finally {
          await log.close();
        }
      }),
  );

  ledger.addCommand(
    new Command('verify')
      .summary('rehash every entry and check every checkpoint')
      .description('Rehash every entry (or those after --from-checkpoint) and check every signed checkpoint, the given one and the witness\'s against the log.')
      .addOption(dirOption())
      .addOption(urlOption())
      .option('--from-checkpoint <file>', 'a checkpoint you trust: only later entries are rehashed')
      .option('--witness <file|url>', 'keeps the largest checkpoint seen; a smaller or different log is a rollback or a fork')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
      .addHelpText('after', '\nExamples:\n  $ bulwark ledger verify --dir ./audit-log\n  $ bulwark ledger verify --dir ./audit-log --from-checkpoint yesterday.checkpoint --witness https://witness.example/log\n\nExit codes: 0 the log verifies, 1 a problem was found, 2 usage or input error.')
      .action(async (flags: { dir: string; databaseUrl?: string; fromCheckpoint?: string; witness?: string; format: 'text' | 'json' }) => {
        const { openLedger, openWitness, verifyLedger } = await ledgerModule();
        const log = await openLedger({ dir: flags.dir, databaseUrl: flags.databaseUrl, readOnly: true });
        try {
          const progress = new Progress();
          const report = await verifyLedger(log, {
            fromCheckpoint: flags.fromCheckpoint === undefined ? undefined : readText(flags.fromCheckpoint),
            witness: flags.witness === undefined ? undefined : openWitness(flags.witness),
            onProgress: (done, total) => progress.update('Rehashing entries', done, total),
          }).finally(() => progress.done());
          if (flags.format === 'json') await emit([`${JSON.stringify(report, null, 2)}\n`], undefined);
          else {
            const lines = [
              `${report.ok ? 'OK' : 'FAILED'}: ${report.origin}, ${report.size} entries, root ${report.root}`,
              `rehashed entries ${report.checked.from}…${report.checked.to}, ${report.checkpointsMatched} checkpoint(s) matched${report.latestCheckpoint === undefined ? '' : `, latest at ${report.latestCheckpoint}`}`,
              ...(report.witness ? [`witness ${report.witness.location}: ${report.witness.size === undefined ? 'had no checkpoint' : `had ${report.witness.size}`}${report.witness.updated ? ', updated' : ''}`] : []),
              ...report.problems.map((p) => `${p.kind}: ${p.message}`),
            ];
            await emit([`${lines.join('\n')}\n`], undefined);
          }
          process.exitCode = report.ok ? 0 : 1;
        } finally {
          await log.close();
        }
      }),
  );

  ledger.addCommand(
    new Command('prove')
      .summary('print an inclusion or consistency proof')
      .description('Print an inclusion proof (--entry) or a consistency proof (--from) as JSON, with the signed checkpoint of the tree it is for.')
      .addOption(dirOption())
      .addOption(urlOption())
      .option('--entry <index>', 'prove that this entry is in the tree', integer('--entry'))
      .option('--from <size>', 'prove that the tree of this size is a prefix of the later one', integer('--from'))
      .option('--size <size>', 'the tree to prove against (default: the latest checkpoint)', integer('--size'))
      .addHelpText('after', '\nExamples:\n  $ bulwark ledger prove --dir ./audit-log --entry 42 > inclusion.json\n  $ bulwark ledger prove --dir ./audit-log --from 1000 > consistency.json')
      .action(async (flags: { dir: string; databaseUrl?: string; entry?: number; from?: number; size?: number }) => {
        if ((flags.entry === undefined) === (flags.from === undefined)) throw new BulwarkError('E_USAGE', 'give exactly one of --entry INDEX or --from SIZE');
        const { openLedger, proveForCli } = await ledgerModule();
        const log = await openLedger({ dir: flags.dir, databaseUrl: flags.databaseUrl, readOnly: true });
        try {
          const { json, warning } = await proveForCli(log, flags);
          if (warning) process.stderr.write(`bulwark: ${warning}\n`);
          await emit([json], undefined);
        } finally {
          await log.close();
        }
      }),
  );

  ledger.addCommand(
    new Command('verify-proof')
      .summary('check a proof file without the log')
      .description('Check a proof file without the log: inclusion {leafIdx, treeSize, root, leafHash, proof} or consistency {size1, size2, root1, root2, proof}, hashes in base64.')
      .argument('<file>', 'proof JSON (- for stdin)')
      .option('--key <vkey>', "the log's verifier key: also check the proof's checkpoint is signed and matches")
      .addHelpText('after', '\nExample:\n  $ bulwark ledger verify-proof inclusion.json --key "$(cat audit-log/log.pub)"\n\nExit codes: 0 valid, 1 invalid, 2 unreadable or malformed file.')
      .action(async (file: string, flags: { key?: string }) => {
        const { checkProof } = await ledgerModule();
        const result = checkProof(readText(file), file === '-' ? '<stdin>' : file, flags.key);
        const signed = result.signed === undefined ? '' : result.signed ? ' (checkpoint signature verified)' : '';
        process.stdout.write(result.verdict.valid ? `valid ${result.kind} proof${signed}\n` : `invalid ${result.kind} proof: ${result.verdict.reason}\n`);
        process.exitCode = result.verdict.valid ? 0 : 1;
      }),
  );

  ledger.addCommand(
    new Command('shred')
      .summary("erase a subject's data keys (crypto-shredding)")
      .description("Erase a subject's data keys: its entries become unreadable for everyone, every proof still verifies.")
      .addOption(dirOption())
      .addOption(urlOption())
      .requiredOption('--subject <name>', 'whose keys to erase')
      .addHelpText('after', '\nExample:\n  $ bulwark ledger shred --dir ./audit-log --subject alice@example.com')
      .action(async (flags: { dir: string; databaseUrl?: string; subject: string }) => {
        const { openLedger } = await ledgerModule();
        const log = await openLedger({ dir: flags.dir, databaseUrl: flags.databaseUrl, checkpointOnClose: false });
        try {
          const erased = await log.shred(flags.subject);
          await emit([`${JSON.stringify({ subject: flags.subject, keysErased: erased })}\n`], undefined);
        } finally {
          await log.close();
        }
      }),
  );

  ledger.addCommand(
    new Command('rotate')
      .summary('start new data keys (and a new KEK with --kek)')
      .description('Start new data keys for every subject (old entries keep theirs); with --kek, also a new key-encryption key that rewraps every data key.')
      .addOption(dirOption())
      .addOption(urlOption())
      .option('--kek', 'also rotate the key-encryption key')
      .addHelpText('after', '\nExample:\n  $ bulwark ledger rotate --dir ./audit-log --kek')
      .action(async (flags: { dir: string; databaseUrl?: string; kek?: boolean }) => {
        const { openLedger, rotateKek } = await ledgerModule();
        const log = await openLedger({ dir: flags.dir, databaseUrl: flags.databaseUrl, checkpointOnClose: false });
        try {
          await log.rotateDataKeys();
          const kek = flags.kek ? await rotateKek(log, flags.dir) : undefined;
          await emit([`${JSON.stringify({ dataKeysRotated: true, ...(kek ? { kekFile: kek.kekFile, rewrapped: kek.rewrapped } : {}) })}\n`], undefined);
          if (kek) process.stderr.write(`bulwark: data keys are now wrapped by ${kek.kekFile}; destroy the previous key files listed in ledger.json when no one needs them\n`);
        } finally {
          await log.close();
        }
      }),
  );
  return ledger;
}
