import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { UsageRecord } from '@app/domain';

const HOUR_MS = 3_600_000;
const usageKey = (customerId: string, hourMs: number) => `usage:${customerId}:${hourMs}`;
const hoursKey = (customerId: string) => `usage-hours:${customerId}`;

export interface HourRange {
  customerId: string;
  fromHour: string;
  toHour: string;
}

const DAY_MS = 86_400_000;

/**
 * Ingested usage, kept in Redis per customer and hour. A record is stored
 * under its id, so ingesting the same file twice stores it once, and sending
 * it again with other values corrects it. Each hour expires
 * USAGE_RETENTION_DAYS after the hour it records (Redis runs with noeviction:
 * nothing may grow without bound); older hours leave the customer's index.
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

  /** Stores the records and returns, per customer, the hours they span. */
  async save(records: UsageRecord[]): Promise<HourRange[]> {
    const ranges = new Map<string, { from: number; to: number }>();
    const pipeline = this.redis.pipeline();
    // A batch holds many records of one customer-hour: its expiry and index entry are written once.
    const hoursSeen = new Set<string>();
    for (const record of records) {
      const hourMs = Math.floor(Date.parse(record.hour) / HOUR_MS) * HOUR_MS;
      const stored: UsageRecord = { ...record, hour: new Date(hourMs).toISOString() };
      const key = usageKey(record.customerId, hourMs);
      pipeline.hset(key, record.recordId, JSON.stringify(stored));
      if (!hoursSeen.has(key)) {
        hoursSeen.add(key);
        pipeline.pexpireat(key, hourMs + this.retentionMs);
        pipeline.zadd(hoursKey(record.customerId), hourMs, String(hourMs));
      }
      const range = ranges.get(record.customerId);
      if (!range) ranges.set(record.customerId, { from: hourMs, to: hourMs });
      else {
        range.from = Math.min(range.from, hourMs);
        range.to = Math.max(range.to, hourMs);
      }
    }
    const cutoff = Date.now() - this.retentionMs;
    for (const [customerId, { to }] of ranges) {
      pipeline.zremrangebyscore(hoursKey(customerId), '-inf', `(${cutoff}`);
      // The index lives as long as its newest hour: set when it has no expiry yet, and only ever pushed later (Redis 7).
      const until = Math.max(to + this.retentionMs, Date.now());
      pipeline.pexpireat(hoursKey(customerId), until, 'NX');
      pipeline.pexpireat(hoursKey(customerId), until, 'GT');
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0] as Error;
    return [...ranges.entries()].map(([customerId, { from, to }]) => ({
      customerId,
      fromHour: new Date(from).toISOString(),
      toHour: new Date(to).toISOString(),
    }));
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
