// Recognises an event seen before: the same auditID and stage. The API server's webhook backend
// retries a batch it could not deliver, and a followed log is re-read after a restart; either must
// not enter the ledger or raise alerts twice. Bounded: the oldest keys are forgotten first.
export class Deduplicator {
  readonly capacity: number;
  readonly #seen = new Map<string, true>();

  constructor(capacity = 200_000) {
    this.capacity = capacity;
  }

  static key(auditID: string, stage: string): string {
    return `${stage}\u0000${auditID}`;
  }

  has(key: string): boolean {
    return this.#seen.has(key);
  }

  add(key: string): void {
    if (this.#seen.has(key)) return;
    this.#seen.set(key, true);
    if (this.#seen.size > this.capacity) {
      const oldest = this.#seen.keys().next();
      if (!oldest.done) this.#seen.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.#seen.delete(key);
  }

  get size(): number {
    return this.#seen.size;
  }
}
