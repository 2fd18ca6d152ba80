// The cost and time bound: per-expression windows inside a shared budget, and time bounds that
// start at the first reading of the clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Budget, BudgetExhausted } from './budget.ts';

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

function thrown(action: () => void): BudgetExhausted | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof BudgetExhausted) return error;
    throw error;
  }
  return undefined;
}

describe('Budget', () => {
  it('a window narrows the cost limit and restore gives it back', () => {
    const budget = new Budget(1_000, 60_000);
    budget.charge(100);
    const saved = budget.window(50, 60_000);
    assert.equal(budget.limit, 150);
    assert.equal(thrown(() => budget.charge(60))?.kind, 'cost');
    budget.restore(saved);
    assert.equal(budget.limit, 1_000);
  });

  it('bounds the time of one window, counted from the first reading of the clock inside it', () => {
    const budget = new Budget(Number.MAX_SAFE_INTEGER, 60_000);
    const saved = budget.window(Number.MAX_SAFE_INTEGER, 20);
    budget.charge(300); // reads the clock: the window's bound starts now
    spin(40);
    assert.equal(thrown(() => budget.charge(300))?.kind, 'time');
    budget.restore(saved);
    // The budget's own bound (60 s) started with that reading too and is far off.
    budget.exhausted = null;
    assert.equal(thrown(() => budget.charge(300)), undefined);
  });

  it('an enclosing bound that started inside a nested window keeps that start', () => {
    const budget = new Budget(Number.MAX_SAFE_INTEGER, 30);
    const outer = budget.window(Number.MAX_SAFE_INTEGER, 60_000);
    const inner = budget.window(Number.MAX_SAFE_INTEGER, 60_000);
    budget.charge(300); // first reading: every waiting bound starts
    budget.restore(inner);
    budget.restore(outer);
    spin(50);
    assert.equal(thrown(() => budget.charge(300))?.kind, 'time');
  });

  it('reset starts a fresh time bound', () => {
    const budget = new Budget(Number.MAX_SAFE_INTEGER, 20);
    budget.charge(300);
    spin(40);
    assert.equal(thrown(() => budget.charge(300))?.kind, 'time');
    budget.reset(Number.MAX_SAFE_INTEGER, 20);
    assert.equal(thrown(() => budget.charge(300)), undefined);
  });
});
