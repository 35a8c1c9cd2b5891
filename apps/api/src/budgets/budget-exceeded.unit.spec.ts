import { BudgetExceeded, secondsUntil } from './budget-exceeded';

describe('a budget refusal', () => {
  it('says how long until room frees, in whole seconds rounded up, at least one', () => {
    expect(secondsUntil(10_000, 0)).toBe(10);
    expect(secondsUntil(10_001, 0)).toBe(11);
    expect(secondsUntil(5, 0)).toBe(1);
    // Already past (an entry Redis has yet to drop): retry at once, in a second.
    expect(secondsUntil(0, 5_000)).toBe(1);
  });

  it('is a 429 with its own code', () => {
    const refusal = new BudgetExceeded('USAGE_BUDGET_EXCEEDED', 'full', 60);
    expect(refusal.getStatus()).toBe(429);
    expect(refusal.getResponse()).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      code: 'USAGE_BUDGET_EXCEEDED',
      message: 'full',
    });
    expect(refusal.retryAfterSeconds).toBe(60);
  });
});
