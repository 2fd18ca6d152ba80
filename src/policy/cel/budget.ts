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

export class Budget {
  /** Units charged so far. */
  used = 0;
  /** Units this budget may reach; an evaluation may lower it for one expression. */
  limit: number;
  /** `performance.now()` after which evaluation stops. */
  deadline: number;
  /** Set once the budget is exhausted; sticky, so that `false || <exhausted>` cannot hide it. */
  exhausted: BudgetExhausted | null = null;
  private nextClock = CLOCK_EVERY;

  constructor(limit: number, timeLimitMs: number) {
    this.limit = limit;
    this.deadline = performance.now() + timeLimitMs;
  }

  /** Starts over, for reuse by the next evaluation (one budget per evaluator, not per call). */
  reset(limit: number, timeLimitMs: number): void {
    this.used = 0;
    this.limit = limit;
    this.deadline = performance.now() + timeLimitMs;
    this.exhausted = null;
    this.nextClock = CLOCK_EVERY;
  }

  charge(units: number): void {
    if (this.exhausted !== null) throw this.exhausted;
    this.used += units;
    if (this.used > this.limit) {
      throw (this.exhausted = new BudgetExhausted('cost', `cost limit exceeded: the expression used more than ${this.limit} units`));
    }
    if (this.used >= this.nextClock) {
      this.nextClock = this.used + CLOCK_EVERY;
      if (performance.now() > this.deadline) {
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
