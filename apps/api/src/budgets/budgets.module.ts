import { Global, Module } from '@nestjs/common';
import { IdempotencyBudget } from './idempotency-budget';
import { UsageBudget } from './usage-budget';

/** Each partner's share of Redis: stored usage, idempotency entries and stored answers (429 past them, /metrics shows them). */
@Global()
@Module({ providers: [UsageBudget, IdempotencyBudget], exports: [UsageBudget, IdempotencyBudget] })
export class BudgetsModule {}
