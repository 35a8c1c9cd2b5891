import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { BudgetExceeded, secondsUntil } from './budget-exceeded';

const DAY_MS = 86_400_000;
/** The partner's stored usage records, per UTC day (ms) of their hours: a day's records expire together, so its count leaves with them. */
const recordsKey = (partnerId: string) => `budget:{${partnerId}}:usage-records`;

/**
 * Drops the days whose records have all expired, counts the rest, and adds
 * the days given unless they would take the partner past its budget.
 * KEYS: the partner's records per day. ARGV: the budget, the last day gone
 * (ms), the key's expiry (ms), then day, count pairs. Returns whether it
 * added them, the records counted (with them when added) and the oldest day
 * (-1 for none).
 */
const RESERVE = `
local budget, gone = tonumber(ARGV[1]), tonumber(ARGV[2])
local used, oldest = 0, -1
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local day, n = tonumber(fields[i]), tonumber(fields[i + 1])
  if day <= gone or n <= 0 then redis.call('HDEL', KEYS[1], fields[i])
  else
    used = used + n
    if oldest < 0 or day < oldest then oldest = day end
  end
end
local wanted = 0
for i = 4, #ARGV, 2 do wanted = wanted + tonumber(ARGV[i + 1]) end
if wanted > 0 and used + wanted > budget then return { 0, used, oldest } end
for i = 4, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
if wanted > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return { 1, used + wanted, oldest }
`;

/** Adds a count to each day given, dropping days left at zero. KEYS: the partner's records per day. ARGV: day, count pairs. */
const ADJUST = `
for i = 1, #ARGV, 2 do
  if redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) <= 0 then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return 1
`;

/** What a save added beyond what was held for it, per day: the count to add (or give back) so the budget counts what is stored. */
export function correction(added: ReadonlyMap<number, number>, held: ReadonlyMap<number, number>): Map<number, number> {
  const delta = new Map<number, number>();
  for (const day of new Set([...added.keys(), ...held.keys()])) {
    const n = (added.get(day) ?? 0) - (held.get(day) ?? 0);
    if (n !== 0) delta.set(day, n);
  }
  return delta;
}

/**
 * Each partner's budget of usage records stored in Redis
 * (PARTNER_USAGE_RECORDS_BUDGET), across its customers. A batch holds room
 * for the records it adds before it is saved, and the hold is then set to
 * what the save added: records sent again or corrected add nothing, so they
 * are taken even at the budget. Records leave the count with their day,
 * USAGE_RETENTION_DAYS after it, as they leave Redis.
 */
@Injectable()
export class UsageBudget {
  readonly limit: number;
  private readonly retentionMs: number;

  constructor(
    @Inject(Redis) private readonly redis: Redis,
    @Inject(ConfigService) config: AppConfig,
  ) {
    this.limit = config.get('PARTNER_USAGE_RECORDS_BUDGET', { infer: true });
    this.retentionMs = config.get('USAGE_RETENTION_DAYS', { infer: true }) * DAY_MS;
  }

  /** Holds room for the records per day; refuses (429, nothing held) when they would take the partner past its budget. */
  async hold(partnerId: string, byDay: ReadonlyMap<number, number>, now: string): Promise<void> {
    const at = Date.parse(now);
    const [held, used, oldest] = await this.run(partnerId, at, byDay);
    if (held) return;
    const wanted = [...byDay.values()].reduce((sum, n) => sum + n, 0);
    throw new BudgetExceeded(
      'USAGE_BUDGET_EXCEEDED',
      `partner ${partnerId} stores ${used} of its ${this.limit} usage records; this batch adds ${wanted}. Records leave the budget with their day, ${this.retentionMs / DAY_MS} days after it`,
      oldest < 0 ? 1 : secondsUntil(oldest + DAY_MS + this.retentionMs, at),
    );
  }

  /** Adds (or gives back) records per day: what a save added beyond its hold, or the whole hold of a save that failed. */
  async adjust(partnerId: string, byDay: ReadonlyMap<number, number>): Promise<void> {
    if (byDay.size === 0) return;
    await this.redis.eval(ADJUST, 1, recordsKey(partnerId), ...[...byDay].flat());
  }

  /** The records the partner stores, and when its oldest day leaves (ms), if it stores any. */
  async used(partnerId: string, now: string): Promise<{ records: number; freesAt?: number }> {
    const [, records, oldest] = await this.run(partnerId, Date.parse(now), new Map());
    return { records, ...(oldest < 0 ? {} : { freesAt: oldest + DAY_MS + this.retentionMs }) };
  }

  /**
   * Before a batch's body is read: a partner already at its budget is
   * refused without parsing megabytes of usage. Under it, the batch is
   * parsed and held as above.
   */
  async refusalWhenFull(partnerId: string, now: string): Promise<BudgetExceeded | undefined> {
    const { records, freesAt } = await this.used(partnerId, now);
    if (records < this.limit) return undefined;
    return new BudgetExceeded(
      'USAGE_BUDGET_EXCEEDED',
      `partner ${partnerId} stores ${records} of its ${this.limit} usage records. Records leave the budget with their day, ${this.retentionMs / DAY_MS} days after it`,
      freesAt === undefined ? 1 : secondsUntil(freesAt, Date.parse(now)),
    );
  }

  private async run(
    partnerId: string,
    now: number,
    byDay: ReadonlyMap<number, number>,
  ): Promise<[held: number, used: number, oldest: number]> {
    const gone = now - DAY_MS - this.retentionMs;
    return (await this.redis.eval(
      RESERVE,
      1,
      recordsKey(partnerId),
      this.limit,
      gone,
      this.retentionMs + 2 * DAY_MS,
      ...[...byDay].flat(),
    )) as [number, number, number];
  }
}
