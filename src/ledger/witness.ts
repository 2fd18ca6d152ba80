// A witness remembers the largest checkpoint it has seen of a log, so that a log shown to it later
// cannot quietly be smaller (rolled back) or different (forked). Two kinds: a local file, or an HTTP(S)
// URL where GET returns the stored checkpoint (404: none yet) and PUT stores a newer one.
import { readFileSync } from 'node:fs';
import { LedgerError } from './errors.ts';
import { atomicWrite } from './fs-util.ts';
import { MAX_NOTE_BYTES } from './note.ts';

export interface Witness {
  readonly location: string;
  /** The stored checkpoint note, or undefined when none was stored yet. */
  load(): Promise<string | undefined>;
  store(note: string): Promise<void>;
}

const TIMEOUT_MS = 10_000;

export function openWitness(location: string): Witness {
  return /^https?:\/\//i.test(location) ? httpWitness(location) : fileWitness(location);
}

function fileWitness(path: string): Witness {
  return {
    location: path,
    async load() {
      try {
        const text = readFileSync(path, 'utf8');
        return text.length === 0 ? undefined : text;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new LedgerError('io', `cannot read the witness file ${path}: ${(error as Error).message}`, { cause: error });
      }
    },
    async store(note) {
      try {
        atomicWrite(path, note);
      } catch (error) {
        // The temporary file's name in the system message would only confuse: say what is wrong.
        const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its directory does not exist' : (error as Error).message;
        throw new LedgerError('io', `cannot write the witness file ${path}: ${reason}`, { cause: error });
      }
    },
  };
}

function httpWitness(url: string): Witness {
  const request = async (init: RequestInit): Promise<Response> => {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
    } catch (error) {
      throw new LedgerError('io', `the witness at ${url} did not answer: ${(error as Error).message}`, { cause: error });
    }
  };
  return {
    location: url,
    async load() {
      const response = await request({ method: 'GET' });
      if (response.status === 404) return undefined;
      if (!response.ok) throw new LedgerError('io', `the witness at ${url} answered ${response.status}`);
      const text = await response.text();
      if (Buffer.byteLength(text) > MAX_NOTE_BYTES) throw new LedgerError('parse', `the witness at ${url} returned more than ${MAX_NOTE_BYTES} bytes`);
      return text;
    },
    async store(note) {
      const response = await request({ method: 'PUT', body: note, headers: { 'content-type': 'text/plain; charset=utf-8' } });
      if (!response.ok) throw new LedgerError('io', `the witness at ${url} refused the checkpoint: ${response.status}`);
    },
  };
}
