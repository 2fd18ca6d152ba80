import type { WriteStream } from 'node:tty';

/** Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** The terminal's width, or undefined off a terminal so that pipes get one finding per line. */
export function terminalWidth(stream: NodeJS.WriteStream): number | undefined {
  return stream.isTTY === true ? ((stream as WriteStream).columns ?? 100) : undefined;
}

/**
 * A one-line progress indicator on stderr, shown only when stdout is a terminal so that pipes and CI
 * logs stay clean.
 */
export class Progress {
  readonly #enabled: boolean;
  readonly #stderr: NodeJS.WriteStream;
  #last = 0;
  #shown = false;

  constructor(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr) {
    this.#enabled = stdout.isTTY === true && stderr.isTTY === true;
    this.#stderr = stderr;
  }

  /** Whether anything is shown: work can skip reporting its progress when nothing is. */
  get enabled(): boolean {
    return this.#enabled;
  }

  update(label: string, done: number, total: number): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#last < 80 && done < total) return;
    this.#last = now;
    this.#shown = true;
    this.#stderr.write(`\r\x1b[2K${label} ${done}/${total}`);
  }

  done(): void {
    if (this.#shown) this.#stderr.write('\r\x1b[2K');
    this.#shown = false;
  }
}
