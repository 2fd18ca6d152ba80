// Splits a byte stream into lines with a bound on line length: a line longer than the bound is
// skipped (reported with its line number and length) without ever being held in memory whole, so a
// hostile or broken log cannot make the reader grow without limit.
export type LineItem = { kind: 'line'; text: string; line: number } | { kind: 'overlong'; line: number; bytes: number };

export class LineSplitter {
  readonly maxLineBytes: number;
  #parts: Buffer[] = [];
  #partBytes = 0;
  #skipping = false;
  #skipped = 0;
  /** Number of the line being assembled (1-based). */
  #line = 1;

  constructor(maxLineBytes: number) {
    this.maxLineBytes = maxLineBytes;
  }

  /** Bytes held for an unfinished line. */
  get pendingBytes(): number {
    return this.#partBytes;
  }

  /** The lines completed by `chunk`, in order. */
  push(chunk: Buffer): LineItem[] {
    const out: LineItem[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 ? chunk.length : newline;
      this.#take(chunk, start, end);
      if (newline < 0) break;
      this.#finish(out);
      start = newline + 1;
    }
    return out;
  }

  /** The last line when the stream ends without a newline. */
  end(): LineItem[] {
    const out: LineItem[] = [];
    if (this.#partBytes > 0 || this.#skipping) this.#finish(out);
    return out;
  }

  #take(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    if (this.#skipping) {
      this.#skipped += end - start;
      return;
    }
    if (this.#partBytes + (end - start) > this.maxLineBytes) {
      this.#skipping = true;
      this.#skipped = this.#partBytes + (end - start);
      this.#parts = [];
      this.#partBytes = 0;
      return;
    }
    // Copied: the caller may reuse its chunk buffer.
    this.#parts.push(Buffer.from(chunk.subarray(start, end)));
    this.#partBytes += end - start;
  }

  #finish(out: LineItem[]): void {
    if (this.#skipping) out.push({ kind: 'overlong', line: this.#line, bytes: this.#skipped });
    else {
      let text = this.#parts.length === 1 ? this.#parts[0]!.toString('utf8') : Buffer.concat(this.#parts, this.#partBytes).toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
      out.push({ kind: 'line', text, line: this.#line });
    }
    this.#parts = [];
    this.#partBytes = 0;
    this.#skipping = false;
    this.#skipped = 0;
    this.#line++;
  }
}
