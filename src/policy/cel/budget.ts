// The cost and time bound of an evaluation. Every function application, every comprehension
// iteration and every element a library function walks is charged to the budget of the evaluation
// in progress; the wall clock is read every few hundred units. Evaluation is synchronous, so the
// budget in force is a module-level register rather than something threaded through the evaluator
// (which belongs to @bufbuild/cel and offers no hook).

/** Thrown through the evaluator to unwind it; never escapes `evaluate`. */
export class BudgetExhausted extends Error {
  readonly kind: 'cost' | 'time';
  constructor(kind: 'cost' | 'time', message: string) {
    super(message);
    this.name = 'BudgetExhausted';
    this.kind = kind;
  }
}

const CLOCK_EVERY = 256;

/** What `window` replaced, for `restore`. */
export interface BudgetWindow {
  limit: number;
  deadline: number;
  pendingMs: number;
}

export class Budget {
  /** Units charged so far. */
  used = 0;
  /** Units this budget may reach; an evaluation may lower it for one expression. */
  limit: number;
  /** `performance.now()` after which evaluation stops; Infinity until the clock is first read. */
  deadline = Infinity;
  /** Set once the budget is exhausted; sticky, so that `false || <exhausted>` cannot hide it. */
  exhausted: BudgetExhausted | null = null;
  private nextClock = CLOCK_EVERY;
  // Most evaluations charge fewer units than it takes to read the clock once, and a scan runs
  // hundreds of thousands of them: a time bound therefore starts at the first reading of the clock
  // after it is set (at most CLOCK_EVERY units of work late), not with a reading of its own.
  /** A bound in ms that starts at the next reading of the clock; -1 when none is waiting. */
  private pendingMs: number;
  /** When the last waiting bound started. */
  private startedAt = 0;

  constructor(limit: number, timeLimitMs: number) {
    this.limit = limit;
    this.pendingMs = timeLimitMs;
  }

  /** Starts over, for reuse by the next evaluation (one budget per evaluator, not per call). */
  reset(limit: number, timeLimitMs: number): void {
    this.used = 0;
    this.limit = limit;
    this.deadline = Infinity;
    this.pendingMs = timeLimitMs;
    this.exhausted = null;
    this.nextClock = CLOCK_EVERY;
  }

  /**
   * Narrows the budget for one expression: at most `units` more units and `timeLimitMs` more time
   * (the time counted from the next reading of the clock). `restore` undoes it.
   */
  window(units: number, timeLimitMs: number): BudgetWindow {
    const saved: BudgetWindow = { limit: this.limit, deadline: this.deadline, pendingMs: this.pendingMs };
    this.limit = Math.min(this.limit, this.used + units);
    this.pendingMs = this.pendingMs < 0 ? timeLimitMs : Math.min(this.pendingMs, timeLimitMs);
    return saved;
  }

  restore(saved: BudgetWindow): void {
    this.limit = saved.limit;
    if (saved.pendingMs >= 0 && this.pendingMs < 0) {
      // The clock was read inside the window: the enclosing bound started then too.
      this.deadline = Math.min(saved.deadline, this.startedAt + saved.pendingMs);
      this.pendingMs = -1;
    } else {
      this.deadline = saved.deadline;
      this.pendingMs = saved.pendingMs;
    }
  }

  charge(units: number): void {
    if (this.exhausted !== null) throw this.exhausted;
    this.used += units;
    if (this.used > this.limit) {
      throw (this.exhausted = new BudgetExhausted('cost', `cost limit exceeded: the expression used more than ${this.limit} units`));
    }
    if (this.used >= this.nextClock) {
      this.nextClock = this.used + CLOCK_EVERY;
      const now = performance.now();
      if (this.pendingMs >= 0) {
        this.startedAt = now;
        this.deadline = Math.min(this.deadline, now + this.pendingMs);
        this.pendingMs = -1;
      }
      if (now > this.deadline) {
        throw (this.exhausted = new BudgetExhausted('time', 'time limit exceeded: evaluation ran past its wall-clock bound'));
      }
    }
  }
}

let active: Budget | null = null;

/** Charges the evaluation in progress; a no-op outside one (constant folding at compile time). */
export function charge(units: number): void {
  if (active !== null) active.charge(units);
}

/** Puts `budget` in force and returns the one it replaces (the caller restores it). */
export function swapBudget(budget: Budget | null): Budget | null {
  const previous = active;
  active = budget;
  return previous;
}
