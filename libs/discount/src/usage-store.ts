import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import { Clock } from '@app/clock';
import { AppConfig } from '@app/config';
import { UsageRecord, UsageSummaryRow } from '@app/domain';
import { HourSet, hourSetOf, hoursOfSet } from './hour-set';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A customer's usage keys share the hash tag `{customerId}`: one customer's pipeline stays on one slot of a Redis Cluster. */
const usageKey = (customerId: string, hourMs: number | string) => `usage:{${customerId}}:${hourMs}`;
const hoursKey = (customerId: string) => `usage-hours:{${customerId}}`;
/** Where each of the customer's records is: record id scored by its hour. */
const recordsKey = (customerId: string) => `usage-records:{${customerId}}`;
/** Counts the saves that changed the customer's usage. */
const versionKey = (customerId: string) => `usage-version:{${customerId}}`;
/** The customer's usage of one UTC day, summed for recommendations (see UsageSummaryRow). */
const summaryKey = (customerId: string, dayMs: number | string) => `usage-daily:{${customerId}}:${dayMs}`;

export interface HourRange {
  customerId: string;
  fromHour: string;
  toHour: string;
  /** The customer's usage version after the save that asked for it: a change back to earlier values is a new version. */
  usageVersion?: number;
  /** The hours to compute, when not every stored hour between fromHour and toHour: a batch's own. Jobs queued before it existed have none. */
  hours?: HourSet;
}

export interface SavedUsage {
  /** Per customer, the hours to compute again: the batch's, and each day of hours that corrected records left. */
  ranges: HourRange[];
  /** Records the save added per UTC day (ms) of their hour; a record moved to another day is -1 on the one and +1 on the other. */
  addedByDay: Map<number, number>;
}

/** Records per script call: each call blocks Redis while it runs. */
const RECORDS_PER_SCRIPT = 1_000;

/**
 * Stores records, removes the copy a record leaves behind when a correction
 * moves it to another hour, and keeps the customer's daily summary in step,
 * all in one script, so no reader sees a record in two hours or a summary
 * without its records. Returns the customer's usage version (moved on when
 * anything changed), the hours records left, and the records added per day
 * (day, count pairs). KEYS: the records' index, the hours' index,
 * `usage:{customerId}:` and `usage-daily:{customerId}:` (the hour and day
 * keys' common starts, passed as keys so that the client's key prefix applies
 * and the cluster routes by them), and the version. ARGV: the retention and
 * the Clock's time in ms (expiry is counted from the Clock, not from Redis's
 * time), then recordId, hour in ms, JSON per record.
 *
 * A summary row is keyed by the JSON of [hour of the day, subscription,
 * resource group (lower case), region, size, rate], as the script encodes it
 * both when it adds a record and when it takes one away.
 */
const SAVE = `
local retention, now = tonumber(ARGV[1]), tonumber(ARGV[2])
local HOUR, DAY = 3600000, 86400000
local seen, seenDay, left, added, changed = {}, {}, {}, {}, false
local function ms(n) return string.format('%.0f', n) end
local function dayOf(hour) return hour - hour % DAY end
local function count(hour, delta) local day = dayOf(hour) added[day] = (added[day] or 0) + delta end
local function summarize(json, hour, sign)
  local record = cjson.decode(json)
  if record.spot == true then return end
  local group = record.resourceGroup
  if type(group) == 'string' then group = string.lower(group)
  else group = string.match(string.lower(record.resourceId or ''), '/resourcegroups/([^/]+)') or '' end
  local day = dayOf(hour)
  local key = KEYS[4] .. ms(day)
  local field = cjson.encode({ (hour - day) / HOUR, record.subscriptionId, group, record.region, record.vmSize, record.payAsYouGoRateUsd })
  if tonumber(redis.call('HINCRBYFLOAT', key, field, sign * record.quantity)) <= 1e-9 then redis.call('HDEL', key, field) end
  if not seenDay[day] then
    seenDay[day] = true
    redis.call('PEXPIRE', key, ms(day + DAY + retention - now))
  end
end
for i = 3, #ARGV, 3 do
  local id, hour, json = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local target = KEYS[3] .. ARGV[i + 1]
  local was = redis.call('ZSCORE', KEYS[1], id)
  if was and tonumber(was) ~= hour then
    local old = ms(tonumber(was))
    local prior = redis.call('HGET', KEYS[3] .. old, id)
    if prior then
      redis.call('HDEL', KEYS[3] .. old, id)
      summarize(prior, tonumber(was), -1)
      count(tonumber(was), -1)
    end
    left[#left + 1] = old
  end
  local prior = redis.call('HGET', target, id)
  if prior ~= json then
    changed = true
    if prior then summarize(prior, hour, -1) else count(hour, 1) end
    redis.call('HSET', target, id, json)
    summarize(json, hour, 1)
  end
  redis.call('ZADD', KEYS[1], hour, id)
  if not seen[hour] then
    seen[hour] = true
    redis.call('PEXPIRE', target, ms(hour + retention - now))
    redis.call('ZADD', KEYS[2], hour, hour)
  end
end
local version = tonumber(redis.call('GET', KEYS[5]) or '0')
if changed then
  version = redis.call('INCR', KEYS[5])
  redis.call('PEXPIRE', KEYS[5], retention)
end
local counts = {}
for day, n in pairs(added) do
  if n ~= 0 then counts[#counts + 1] = ms(day) counts[#counts + 1] = tostring(n) end
end
return { version, left, counts }
`;

/**
 * Ingested usage, kept in Redis per customer and hour. A record is stored
 * under its id, so ingesting the same file twice stores it once, and sending
 * it again with other values corrects it, its hour included: the copy in the
 * hour it left is removed, and that hour is returned to be computed again.
 * Each hour expires USAGE_RETENTION_DAYS after the hour it records, counted
 * on the Clock (Redis runs with noeviction: nothing may grow without bound);
 * older hours and records leave the customer's indexes. Beside the records,
 * a daily summary per customer, for recommendations.
 */
@Injectable()
export class UsageStore {
  private readonly retentionMs: number;

  constructor(
    @Inject(Redis) private readonly redis: Redis,
    @Inject(ConfigService) config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.retentionMs = config.get('USAGE_RETENTION_DAYS', { infer: true }) * DAY_MS;
  }

  /**
   * Stores the records and returns, per customer, the hours to compute again
   * and what the save added per day. A record is the customer's: the same id
   * under another customer is another record.
   */
  async save(records: UsageRecord[]): Promise<SavedUsage> {
    const now = Date.parse(await this.clock.now());
    // One pipeline per customer: its keys share one hash slot (see usageKey).
    const saved = await Promise.all(
      [...byCustomer(records).entries()].map(([customerId, own]) => this.saveOf(customerId, own, now)),
    );
    const addedByDay = new Map<number, number>();
    for (const { added } of saved) for (const [day, n] of added) addedByDay.set(day, (addedByDay.get(day) ?? 0) + n);
    return { ranges: saved.flatMap(({ ranges }) => ranges), addedByDay };
  }

  /** Records not stored yet (under their customer), per UTC day (ms) of their hour: what a save of them would add. */
  async newRecordsByDay(records: UsageRecord[]): Promise<Map<number, number>> {
    const byDay = new Map<number, number>();
    await Promise.all(
      [...byCustomer(records).entries()].map(async ([customerId, own]) => {
        // The last of a record sent twice in one batch is the one kept.
        const last = new Map(own.map((record) => [record.recordId, record]));
        const ids = [...last.keys()];
        const scores = await this.redis.zmscore(recordsKey(customerId), ...ids);
        ids.forEach((id, i) => {
          if (scores[i] !== null) return;
          const day = Math.floor(Date.parse(last.get(id)!.hour) / DAY_MS) * DAY_MS;
          byDay.set(day, (byDay.get(day) ?? 0) + 1);
        });
      }),
    );
    return byDay;
  }

  private async saveOf(
    customerId: string,
    records: UsageRecord[],
    now: number,
  ): Promise<{ ranges: HourRange[]; added: Map<number, number> }> {
    let from = Infinity;
    let to = -Infinity;
    const hours = new Set<number>();
    const pipeline = this.redis.pipeline();
    const keys = [
      recordsKey(customerId),
      hoursKey(customerId),
      usageKey(customerId, ''),
      summaryKey(customerId, ''),
      versionKey(customerId),
    ];
    for (let start = 0; start < records.length; start += RECORDS_PER_SCRIPT) {
      const args: Array<string | number> = [this.retentionMs, now];
      for (const record of records.slice(start, start + RECORDS_PER_SCRIPT)) {
        const hourMs = Math.floor(Date.parse(record.hour) / HOUR_MS) * HOUR_MS;
        const stored: UsageRecord = { ...record, hour: new Date(hourMs).toISOString() };
        args.push(record.recordId, hourMs, JSON.stringify(stored));
        hours.add(hourMs);
        from = Math.min(from, hourMs);
        to = Math.max(to, hourMs);
      }
      pipeline.eval(SAVE, keys.length, ...keys, ...args);
    }
    // The indexes live as long as their newest hour: set when they have no expiry yet, and only ever pushed later (Redis 7).
    const ttl = Math.max(to + this.retentionMs - now, 0);
    for (const index of [hoursKey(customerId), recordsKey(customerId)]) {
      pipeline.zremrangebyscore(index, '-inf', `(${now - this.retentionMs}`);
      pipeline.pexpire(index, ttl, 'NX');
      pipeline.pexpire(index, ttl, 'GT');
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0] as Error;
    const saved = results
      .slice(0, Math.ceil(records.length / RECORDS_PER_SCRIPT))
      .map(([, reply]) => reply as [number, string[], string[]]);
    const usageVersion = Math.max(...saved.map(([version]) => version));
    const left = saved.flatMap(([, leftHours]) => leftHours.map(Number));
    const added = new Map<number, number>();
    for (const [, , counts] of saved) {
      for (let i = 0; i < counts.length; i += 2)
        added.set(Number(counts[i]), (added.get(Number(counts[i])) ?? 0) + Number(counts[i + 1]));
    }
    const ranges = [
      {
        customerId,
        fromHour: new Date(from).toISOString(),
        toHour: new Date(to).toISOString(),
        hours: hourSetOf(hours),
      },
      ...leftRanges(customerId, left, hours, now - this.retentionMs),
    ].map((range) => ({ ...range, usageVersion }));
    return { ranges, added };
  }

  /** How many saves have changed the customer's usage (within the retention). */
  async versionOf(customerId: string): Promise<number> {
    return Number((await this.redis.get(versionKey(customerId))) ?? 0);
  }

  /** The range's hours that the customer's index holds, ISO 8601, earliest first. */
  async hoursOf(range: HourRange): Promise<string[]> {
    return (await this.listed(range)).map((hour) => new Date(hour).toISOString());
  }

  /** Every stored record of the range's hours, by hour; an hour listed but emptied by corrections has none. */
  async load(range: HourRange): Promise<Map<string, UsageRecord[]>> {
    const hours = await this.listed(range);
    const pipeline = this.redis.pipeline();
    for (const hour of hours) pipeline.hvals(usageKey(range.customerId, hour));
    const results = (await pipeline.exec()) ?? [];
    const byHour = new Map<string, UsageRecord[]>();
    hours.forEach((hour, i) =>
      byHour.set(
        new Date(hour).toISOString(),
        ((results[i]?.[1] as string[]) ?? []).map((v) => JSON.parse(v) as UsageRecord),
      ),
    );
    return byHour;
  }

  /** The customer's daily summary over `days` UTC days from `fromDay` (its midnight, ISO 8601). */
  async summaryOf(customerId: string, fromDay: string, days: number): Promise<UsageSummaryRow[]> {
    const first = Date.parse(fromDay);
    const pipeline = this.redis.pipeline();
    for (let d = 0; d < days; d++) pipeline.hgetall(summaryKey(customerId, first + d * DAY_MS));
    const results = (await pipeline.exec()) ?? [];
    const rows: UsageSummaryRow[] = [];
    results.forEach(([error, fields], d) => {
      if (error) throw error;
      // One string per hour, shared by its rows: a month may hold a million rows, and 720 hours.
      const hours = Array.from({ length: 24 }, (_, h) => new Date(first + d * DAY_MS + h * HOUR_MS).toISOString());
      for (const [field, quantity] of Object.entries(fields as Record<string, string>)) {
        const [hourOfDay, subscriptionId, resourceGroup, region, vmSize, payAsYouGoRateUsd] = JSON.parse(field) as [
          number,
          string,
          string,
          string,
          string,
          number,
        ];
        rows.push({
          hour: hours[hourOfDay],
          subscriptionId,
          resourceGroup,
          region,
          vmSize,
          payAsYouGoRateUsd,
          quantity: Number(quantity),
        });
      }
    });
    return rows;
  }

  /** The range's hours in the index, in ms: its own hours when it names them, else every one between its bounds. */
  private async listed(range: HourRange): Promise<number[]> {
    const from = Date.parse(range.fromHour);
    const to = Date.parse(range.toHour);
    if (!range.hours) return (await this.redis.zrangebyscore(hoursKey(range.customerId), from, to)).map(Number);
    const hours = hoursOfSet(range.hours).filter((hour) => hour >= from && hour <= to);
    if (hours.length === 0) return [];
    const scores = await this.redis.zmscore(hoursKey(range.customerId), ...hours);
    return hours.filter((_, i) => scores[i] !== null);
  }
}

function byCustomer(records: UsageRecord[]): Map<string, UsageRecord[]> {
  const grouped = new Map<string, UsageRecord[]>();
  for (const record of records) {
    const list = grouped.get(record.customerId);
    if (list) list.push(record);
    else grouped.set(record.customerId, [record]);
  }
  return grouped;
}

/** The hours records left, as one range per UTC day: not those of the batch (computed anyway), nor those already expired. */
function leftRanges(customerId: string, hours: number[], batch: Set<number>, expiredBefore: number): HourRange[] {
  const byDay = new Map<number, number[]>();
  for (const hour of hours) {
    if (batch.has(hour) || hour < expiredBefore) continue;
    const day = Math.floor(hour / DAY_MS);
    byDay.set(day, [...(byDay.get(day) ?? []), hour]);
  }
  return [...byDay.values()].map((day) => ({
    customerId,
    fromHour: new Date(Math.min(...day)).toISOString(),
    toHour: new Date(Math.max(...day)).toISOString(),
    hours: hourSetOf(day),
  }));
}
