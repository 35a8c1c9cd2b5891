import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { UsageRecord } from '@app/domain';

const HOUR_MS = 3_600_000;
const usageKey = (customerId: string, hourMs: number) => `usage:${customerId}:${hourMs}`;
const hoursKey = (customerId: string) => `usage-hours:${customerId}`;

export interface HourRange {
  customerId: string;
  fromHour: string;
  toHour: string;
}

/**
 * Ingested usage, kept in Redis per customer and hour. A record is stored
 * under its id, so ingesting the same file twice stores it once.
 */
@Injectable()
export class UsageStore {
  constructor(@Inject(Redis) private readonly redis: Redis) {}

  /** Stores the records and returns, per customer, the hours they span. */
  async save(records: UsageRecord[]): Promise<HourRange[]> {
    const ranges = new Map<string, { from: number; to: number }>();
    const pipeline = this.redis.pipeline();
    for (const record of records) {
      const hourMs = Math.floor(Date.parse(record.hour) / HOUR_MS) * HOUR_MS;
      const stored: UsageRecord = { ...record, hour: new Date(hourMs).toISOString() };
      pipeline.hset(usageKey(record.customerId, hourMs), record.recordId, JSON.stringify(stored));
      pipeline.zadd(hoursKey(record.customerId), hourMs, String(hourMs));
      const range = ranges.get(record.customerId);
      if (!range) ranges.set(record.customerId, { from: hourMs, to: hourMs });
      else {
        range.from = Math.min(range.from, hourMs);
        range.to = Math.max(range.to, hourMs);
      }
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
