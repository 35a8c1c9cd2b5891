import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { UsageRecord } from '@app/domain';

const HOUR_MS = 3_600_000;
/** A customer's usage keys share the hash tag `{customerId}`: one customer's pipeline stays on one slot of a Redis Cluster. */
const usageKey = (customerId: string, hourMs: number | string) => `usage:{${customerId}}:${hourMs}`;
const hoursKey = (customerId: string) => `usage-hours:{${customerId}}`;
/** Where each of the customer's records is: record id scored by its hour. */
const recordsKey = (customerId: string) => `usage-records:{${customerId}}`;
/** Counts the saves that changed the customer's usage. */
const versionKey = (customerId: string) => `usage-version:{${customerId}}`;

export interface HourRange {
  customerId: string;
  fromHour: string;
  toHour: string;
  /** The customer's usage version after the save that asked for it: a change back to earlier values is a new version. */
  usageVersion?: number;
}

const DAY_MS = 86_400_000;
/** Records per script call: each call blocks Redis while it runs. */
const RECORDS_PER_SCRIPT = 1_000;

/**
 * Stores records and removes the copy a record leaves behind when a
 * correction moves it to another hour, in one script, so no reader sees it in
 * both hours. Returns the customer's usage version (moved on when anything
 * changed) and the hours records left. KEYS: the records' index, the hours'
 * index, `usage:{customerId}:` (the hour keys' common start, passed as a key
 * so that the client's key prefix applies and the cluster routes by it), and
 * the version. ARGV: the retention in ms, then recordId, hour in ms, JSON per
 * record.
 */
const SAVE = `
local retention = tonumber(ARGV[1])
local seen, left, changed = {}, {}, false
for i = 2, #ARGV, 3 do
  local id, hour, json = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local was = redis.call('ZSCORE', KEYS[1], id)
  if was and tonumber(was) ~= tonumber(hour) then
    local old = string.format('%.0f', tonumber(was))
    redis.call('HDEL', KEYS[3] .. old, id)
    left[#left + 1] = old
  end
  if redis.call('HGET', KEYS[3] .. hour, id) ~= json then changed = true end
  redis.call('HSET', KEYS[3] .. hour, id, json)
  redis.call('ZADD', KEYS[1], hour, id)
  if not seen[hour] then
    seen[hour] = true
    redis.call('PEXPIREAT', KEYS[3] .. hour, string.format('%.0f', tonumber(hour) + retention))
    redis.call('ZADD', KEYS[2], hour, hour)
  end
end
local version = tonumber(redis.call('GET', KEYS[4]) or '0')
if changed then
  version = redis.call('INCR', KEYS[4])
  redis.call('PEXPIRE', KEYS[4], retention)
end
return { version, left }
`;

/**
 * Ingested usage, kept in Redis per customer and hour. A record is stored
 * under its id, so ingesting the same file twice stores it once, and sending
 * it again with other values corrects it, its hour included: the copy in the
 * hour it left is removed, and that hour is returned to be computed again.
 * Each hour expires USAGE_RETENTION_DAYS after the hour it records (Redis
 * runs with noeviction: nothing may grow without bound); older hours and
 * records leave the customer's indexes.
 */
@Injectable()
export class UsageStore {
  private readonly retentionMs: number;

  constructor(
    @Inject(Redis) private readonly redis: Redis,
    @Inject(ConfigService) config: AppConfig,
  ) {
    this.retentionMs = config.get('USAGE_RETENTION_DAYS', { infer: true }) * DAY_MS;
  }

  /**
   * Stores the records and returns, per customer, the hours to compute again:
   * the range they span, and each day of hours that corrected records left.
   * A record is the customer's: the same id under another customer is another record.
   */
  async save(records: UsageRecord[]): Promise<HourRange[]> {
    const byCustomer = new Map<string, UsageRecord[]>();
    for (const record of records) {
      const list = byCustomer.get(record.customerId);
      if (list) list.push(record);
      else byCustomer.set(record.customerId, [record]);
    }
    // One pipeline per customer: its keys share one hash slot (see usageKey).
    const ranges = await Promise.all([...byCustomer.entries()].map(([customerId, own]) => this.saveOf(customerId, own)));
    return ranges.flat();
  }

  private async saveOf(customerId: string, records: UsageRecord[]): Promise<HourRange[]> {
    let from = Infinity;
    let to = -Infinity;
    const pipeline = this.redis.pipeline();
    const keys = [recordsKey(customerId), hoursKey(customerId), usageKey(customerId, ''), versionKey(customerId)];
    for (let start = 0; start < records.length; start += RECORDS_PER_SCRIPT) {
      const args: Array<string | number> = [this.retentionMs];
      for (const record of records.slice(start, start + RECORDS_PER_SCRIPT)) {
        const hourMs = Math.floor(Date.parse(record.hour) / HOUR_MS) * HOUR_MS;
        const stored: UsageRecord = { ...record, hour: new Date(hourMs).toISOString() };
        args.push(record.recordId, hourMs, JSON.stringify(stored));
        from = Math.min(from, hourMs);
        to = Math.max(to, hourMs);
      }
      pipeline.eval(SAVE, keys.length, ...keys, ...args);
    }
    const cutoff = `(${Date.now() - this.retentionMs}`;
    // The indexes live as long as their newest hour: set when they have no expiry yet, and only ever pushed later (Redis 7).
    const until = Math.max(to + this.retentionMs, Date.now());
    for (const index of [hoursKey(customerId), recordsKey(customerId)]) {
      pipeline.zremrangebyscore(index, '-inf', cutoff);
      pipeline.pexpireat(index, until, 'NX');
      pipeline.pexpireat(index, until, 'GT');
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0] as Error;
    const saved = results.slice(0, Math.ceil(records.length / RECORDS_PER_SCRIPT)).map(([, reply]) => reply as [number, string[]]);
    const usageVersion = Math.max(...saved.map(([version]) => version));
    const left = saved.flatMap(([, hours]) => hours.map(Number));
    return [
      { customerId, fromHour: new Date(from).toISOString(), toHour: new Date(to).toISOString() },
      ...leftRanges(customerId, left, from, to, Date.now() - this.retentionMs),
    ].map((range) => ({ ...range, usageVersion }));
  }

  /** How many saves have changed the customer's usage (within the retention). */
  async versionOf(customerId: string): Promise<number> {
    return Number((await this.redis.get(versionKey(customerId))) ?? 0);
  }

  /** The hours of the customer's index in [fromHour, toHour], ISO 8601. */
  async hoursOf(range: HourRange): Promise<string[]> {
    const hours = await this.redis.zrangebyscore(hoursKey(range.customerId), Date.parse(range.fromHour), Date.parse(range.toHour));
    return hours.map((hour) => new Date(Number(hour)).toISOString());
  }

  /** Every stored record of the customer in [fromHour, toHour], by hour. */
  async load(range: HourRange): Promise<Map<string, UsageRecord[]>> {
    const hours = await this.redis.zrangebyscore(hoursKey(range.customerId), Date.parse(range.fromHour), Date.parse(range.toHour));
    const pipeline = this.redis.pipeline();
    for (const hour of hours) pipeline.hvals(usageKey(range.customerId, Number(hour)));
    const results = (await pipeline.exec()) ?? [];
    const byHour = new Map<string, UsageRecord[]>();
    hours.forEach((hour, i) =>
      byHour.set(
        new Date(Number(hour)).toISOString(),
        ((results[i]?.[1] as string[]) ?? []).map((v) => JSON.parse(v) as UsageRecord),
      ),
    );
    return byHour;
  }
}

/** The hours records left, as one range per UTC day: not those in [from, to] (computed anyway), nor those already expired. */
function leftRanges(customerId: string, hours: number[], from: number, to: number, expiredBefore: number): HourRange[] {
  const byDay = new Map<number, { from: number; to: number }>();
  for (const hour of hours) {
    if ((hour >= from && hour <= to) || hour < expiredBefore) continue;
    const day = Math.floor(hour / DAY_MS);
    const range = byDay.get(day);
    byDay.set(day, { from: Math.min(range?.from ?? hour, hour), to: Math.max(range?.to ?? hour, hour) });
  }
  return [...byDay.values()].map((range) => ({ customerId, fromHour: new Date(range.from).toISOString(), toHour: new Date(range.to).toISOString() }));
}
