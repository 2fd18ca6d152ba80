// `bulwark audit serve`: the ledger, the detector, the alert sinks, the HTTPS receiver (a route
// module of the shared server) and the log followers, started together and stopped together.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openLedger, type Ledger } from '../ledger/index.ts';
import { startServer, type RunningServer } from '../server/index.ts';
import { createDetector, type DetectorOptions } from './detector.ts';
import { AuditError } from './errors.ts';
import type { ParseProblem } from './event.ts';
import { LogFollower } from './follow.ts';
import { AuditIngestor } from './ingest.ts';
import { auditReceiver, DEFAULT_RECEIVER_PATH } from './receiver.ts';
import { StreamSink, WebhookSink, type AlertSink } from './sinks.ts';

export interface AuditServeOptions {
  ledgerDir: string;
  databaseUrl?: string;
  /** User rules files, applied after the built-in rules (unless `builtinRules` is false). */
  rulesFiles?: readonly string[];
  builtinRules?: boolean;
  detector?: DetectorOptions;
  /** HTTPS receiver; absent: no listener (follow-only). */
  listen?: {
    port: number;
    host?: string;
    certFile: string;
    keyFile: string;
    clientCaFile?: string;
    /** File holding a bearer token the API server must present. */
    tokenFile?: string;
    path?: string;
    maxBodyBytes?: number;
  };
  /** JSON-lines audit logs to follow. */
  follow?: readonly string[];
  /** With no saved position, read followed files from their start (default) or only new lines. */
  followFromStart?: boolean;
  alertsToStdout?: boolean;
  alertStream?: NodeJS.WritableStream;
  alertWebhook?: { url: string; caFile?: string; tokenFile?: string };
  log?: (message: string) => void;
}

export interface RunningAudit {
  ingestor: AuditIngestor;
  ledger: Ledger;
  server: RunningServer | undefined;
  /** `https://host:port/audit` when listening. */
  url: string | undefined;
  followers: readonly LogFollower[];
  close(): Promise<void>;
}

function readSecretFile(path: string, what: string): string {
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (text === '') throw new AuditError('usage', `${what} ${path} is empty`);
    return text;
  } catch (error) {
    if (error instanceof AuditError) throw error;
    throw new AuditError('io', `cannot read ${what} ${path}: ${(error as Error).message}`, { location: { file: path }, cause: error });
  }
}

export function followStatePath(ledgerDir: string, file: string): string {
  return join(ledgerDir, `audit-follow-${createHash('sha256').update(resolve(file)).digest('hex').slice(0, 16)}.json`);
}

export async function serveAudit(options: AuditServeOptions): Promise<RunningAudit> {
  if (options.listen === undefined && (options.follow ?? []).length === 0) throw new AuditError('usage', 'nothing to receive: give --tls-cert-file and --tls-private-key-file to listen for the webhook, or --follow FILE');
  const log = options.log ?? (() => {});
  // Rules first: a mistake in them is reported before anything is opened.
  const detector = createDetector({ builtin: options.builtinRules ?? true, files: options.rulesFiles ?? [] }, options.detector ?? {});
  const sinks: AlertSink[] = [];
  if (options.alertsToStdout ?? true) sinks.push(new StreamSink(options.alertStream ?? process.stdout));
  if (options.alertWebhook !== undefined) {
    const hook = options.alertWebhook;
    sinks.push(
      new WebhookSink({
        url: hook.url,
        ...(hook.caFile === undefined ? {} : { ca: readSecretFile(hook.caFile, 'alert webhook CA file') }),
        ...(hook.tokenFile === undefined ? {} : { token: readSecretFile(hook.tokenFile, 'alert webhook token file') }),
        log,
      }),
    );
  }
  const token = options.listen?.tokenFile === undefined ? undefined : readSecretFile(options.listen.tokenFile, 'token file');
  const ledger = await openLedger({ dir: options.ledgerDir, ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }) });
  const ingestor = new AuditIngestor({ detector, ledger, sinks });
  const onProblems = (problems: readonly ParseProblem[]): void => {
    for (const problem of problems.slice(0, 10)) log(`malformed audit event: ${problem.where}: ${problem.message}`);
    if (problems.length > 10) log(`… and ${problems.length - 10} more malformed events`);
  };
  const onError = (error: unknown): void => log(`audit events not recorded: ${(error as Error).message}`);
  let server: RunningServer | undefined;
  const followers: LogFollower[] = [];
  try {
    const remembered = await ingestor.rememberRecent();
    if (remembered > 0) log(`remembering ${remembered} recent events to recognise resent ones`);
    if (options.listen !== undefined) {
      const listen = options.listen;
      server = await startServer({
        port: listen.port,
        ...(listen.host === undefined ? {} : { host: listen.host }),
        tls: { certFile: listen.certFile, keyFile: listen.keyFile, ...(listen.clientCaFile === undefined ? {} : { clientCaFile: listen.clientCaFile }) },
        modules: [auditReceiver({ ingestor, path: listen.path ?? DEFAULT_RECEIVER_PATH, ...(listen.maxBodyBytes === undefined ? {} : { maxBodyBytes: listen.maxBodyBytes }), ...(token === undefined ? {} : { token }), onProblems, onError })],
        // A batch waits for the ledger's fsync; leave room for a slow disk.
        requestTimeoutMs: 60_000,
        log,
      });
      log(`audit webhook listening on ${server.url}${listen.path ?? DEFAULT_RECEIVER_PATH}`);
    }
    for (const file of options.follow ?? []) {
      const follower = new LogFollower({
        path: file,
        ingestor,
        statePath: followStatePath(options.ledgerDir, file),
        ...(options.followFromStart === undefined ? {} : { fromStart: options.followFromStart }),
        onProblems,
        onError,
      });
      follower.start();
      followers.push(follower);
      log(`following ${file}`);
    }
  } catch (error) {
    for (const follower of followers) await follower.stop();
    await server?.close();
    await ingestor.close();
    await ledger.close();
    throw error;
  }
  return {
    ingestor,
    ledger,
    server,
    url: server === undefined ? undefined : `${server.url}${options.listen?.path ?? DEFAULT_RECEIVER_PATH}`,
    followers,
    async close() {
      for (const follower of followers) await follower.stop();
      // Closing the server closes its route module, which closes the ingestor and its sinks.
      if (server !== undefined) await server.close();
      else await ingestor.close();
      await ledger.close();
    },
  };
}
