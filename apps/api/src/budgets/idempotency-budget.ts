import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { BudgetExceeded } from './budget-exceeded';

/** A partner's idempotency entries (by the digest that names each), scored by when each expires on Redis's clock. */
const entriesKey = (partnerId: string) => `budget:{${partnerId}}:idempotency-keys`;
/** The bytes of each entry's stored answer, and their total. */
const bytesKey = (partnerId: string) => `budget:{${partnerId}}:cached-responses`;
const totalKey = (partnerId: string) => `budget:{${partnerId}}:cached-response-bytes`;
const keysOf = (partnerId: string) => [entriesKey(partnerId), bytesKey(partnerId), totalKey(partnerId)];

/**
 * First of every script: Redis's time (entries expire on it, as the
 * idempotency keys they count do), and the entries expired by then dropped
 * with their bytes, a bounded number per call. KEYS: entries, bytes per
 * entry, total bytes.
 */
const EXPIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1000)) do
  local bytes = redis.call('HGET', KEYS[2], entry)
  if bytes then
    redis.call('HDEL', KEYS[2], entry)
    redis.call('DECRBY', KEYS[3], bytes)
  end
  redis.call('ZREM', KEYS[1], entry)
end
`;

/**
 * Counts an entry in, unless the partner is at either budget. ARGV: entries
 * budget, bytes budget, entry, how long it may stay in flight (ms), the
 * entries key's expiry (ms). Returns { 1 } when counted, else { 0, which
 * budget, ms until the oldest entry expires, what is used }.
 */
const ADMIT = `${EXPIRE}
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return { 1 } end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = oldest[2] and math.max(tonumber(oldest[2]) - now, 0) or 0
local entries = redis.call('ZCARD', KEYS[1])
if entries >= tonumber(ARGV[1]) then return { 0, 'entries', wait, entries } end
local bytes = tonumber(redis.call('GET', KEYS[3]) or '0')
if bytes >= tonumber(ARGV[2]) then return { 0, 'bytes', wait, bytes } end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return { 1 }
`;

/** An entry settled with its answer: its bytes counted, kept as long as its key. ARGV: entry, bytes, retention (ms). */
const REMEMBER = `${EXPIRE}
local before = redis.call('HGET', KEYS[2], ARGV[1])
if before then redis.call('DECRBY', KEYS[3], before) end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('INCRBY', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return 1
`;

/** An entry released (its request failed): out of both counts. ARGV: entry. */
const FORGET = `
local before = redis.call('HGET', KEYS[2], ARGV[1])
if before then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('DECRBY', KEYS[3], before)
end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`;

/** A hold renewed while its command runs: its entry kept as long, never shortened (an answer kept since stays its retention). ARGV: entry, ms. */
const RENEW = `${EXPIRE}
redis.call('ZADD', KEYS[1], 'GT', now + tonumber(ARGV[2]), ARGV[1])
return 1
`;

const USED = `${EXPIRE}
return { redis.call('ZCARD', KEYS[1]), tonumber(redis.call('GET', KEYS[3]) or '0') }
`;

/**
 * Each partner's budgets for what the idempotency interceptor keeps in
 * Redis: entries (PARTNER_IDEMPOTENCY_KEYS_BUDGET, one per Idempotency-Key
 * and route) and the bytes of the answers stored for replay
 * (PARTNER_CACHED_RESPONSE_BYTES_BUDGET). A new key is counted in before its
 * command runs and refused (429) at either budget; a replay of a key already
 * kept is always answered. An answer is kept whatever its size once its
 * command has run, so the bytes may pass the budget by the answers of the
 * requests in flight; the next new key is refused.
 */
@Injectable()
export class IdempotencyBudget {
  readonly entriesLimit: number;
  readonly bytesLimit: number;
  private readonly retentionMs: number;

  constructor(
    @Inject(Redis) private readonly redis: Redis,
    @Inject(ConfigService) config: AppConfig,
  ) {
    this.entriesLimit = config.get('PARTNER_IDEMPOTENCY_KEYS_BUDGET', { infer: true });
    this.bytesLimit = config.get('PARTNER_CACHED_RESPONSE_BYTES_BUDGET', { infer: true });
    this.retentionMs = config.get('IDEMPOTENCY_RETENTION_HOURS', { infer: true }) * 3_600_000;
  }

  /** Counts a new entry in for as long as its request may run; refuses (429) when the partner is at either budget. */
  async admit(partnerId: string, entry: string, inFlightMs: number): Promise<void> {
    const [admitted, which, waitMs, used] = (await this.redis.eval(
      ADMIT,
      3,
      ...keysOf(partnerId),
      this.entriesLimit,
      this.bytesLimit,
      entry,
      inFlightMs,
      this.retentionMs + inFlightMs,
    )) as [number, string?, number?, number?];
    if (admitted) return;
    const retryAfter = Math.max(1, Math.ceil(waitMs! / 1000));
    if (which === 'entries')
      throw new BudgetExceeded(
        'IDEMPOTENCY_BUDGET_EXCEEDED',
        `partner ${partnerId} holds ${used} of its ${this.entriesLimit} Idempotency-Key entries; each is kept ${this.retentionMs / 3_600_000} h. Retry after Retry-After`,
        retryAfter,
      );
    throw new BudgetExceeded(
      'RESPONSE_CACHE_BUDGET_EXCEEDED',
      `partner ${partnerId} holds ${used} bytes of stored answers, at its budget of ${this.bytesLimit}; each is kept ${this.retentionMs / 3_600_000} h. Retry after Retry-After`,
      retryAfter,
    );
  }

  /** The entry now holds its answer: counted with its bytes for the retention. */
  async remember(partnerId: string, entry: string, bytes: number): Promise<void> {
    await this.redis.eval(REMEMBER, 3, ...keysOf(partnerId), entry, bytes, this.retentionMs);
  }

  async renew(partnerId: string, entry: string, inFlightMs: number): Promise<void> {
    await this.redis.eval(RENEW, 3, ...keysOf(partnerId), entry, inFlightMs);
  }

  async forget(partnerId: string, entry: string): Promise<void> {
    await this.redis.eval(FORGET, 3, ...keysOf(partnerId), entry);
  }

  async used(partnerId: string): Promise<{ entries: number; bytes: number }> {
    const [entries, bytes] = (await this.redis.eval(USED, 3, ...keysOf(partnerId))) as [number, number];
    return { entries, bytes };
  }
}
