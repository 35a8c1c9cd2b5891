import { HttpException, HttpStatus } from '@nestjs/common';

export type BudgetCode = 'USAGE_BUDGET_EXCEEDED' | 'IDEMPOTENCY_BUDGET_EXCEEDED' | 'RESPONSE_CACHE_BUDGET_EXCEEDED';

/**
 * A partner past one of its budgets in Redis: 429 with its own code, and
 * Retry-After until the partner's oldest entry expires and frees room.
 * Nothing of the request was stored.
 */
export class BudgetExceeded extends HttpException {
  constructor(
    readonly code: BudgetCode,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', code, message },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** Whole seconds from `now` until `at` (both in ms), at least 1: Retry-After is never 0 for a budget, nothing frees sooner. */
export const secondsUntil = (at: number, now: number): number => Math.max(1, Math.ceil((at - now) / 1000));
