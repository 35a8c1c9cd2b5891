import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { UsageRecord } from '@app/domain';

const HOUR_MS = 3_600_000;
/** A customer's usage keys share the hash tag `{customerId}`: one customer's pipeline stays on one slot of a Redis Cluster. */
const usageKey = (customerId: string, hourMs: number) => `usage:{${customerId}}:${hourMs}`;
const hoursKey = (customerId: string) => `usage-hours:{${customerId}}`;

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
    const byCustomer = new Map<string, UsageRecord[]>();
    for (const record of records) {
      const list = byCustomer.get(record.customerId);
      if (list) list.push(record);
      else byCustomer.set(record.customerId, [record]);
    }
    // One pipeline per customer: its keys share one hash slot (see usageKey).
    return Promise.all([...byCustomer.entries()].map(([customerId, own]) => this.saveOf(customerId, own)));
  }

  private async saveOf(customerId: string, records: UsageRecord[]): Promise<HourRange> {
    let from = Infinity;
    let to = -Infinity;
    const pipeline = this.redis.pipeline();
    // A batch holds many records of one customer-hour: its expiry and index entry are written once.
    const hoursSeen = new Set<number>();
    for (const record of records) {
      const hourMs = Math.floor(Date.parse(record.hour) / HOUR_MS) * HOUR_MS;
      const stored: UsageRecord = { ...record, hour: new Date(hourMs).toISOString() };
      const key = usageKey(customerId, hourMs);
      pipeline.hset(key, record.recordId, JSON.stringify(stored));
      if (!hoursSeen.has(hourMs)) {
        hoursSeen.add(hourMs);
        pipeline.pexpireat(key, hourMs + this.retentionMs);
        pipeline.zadd(hoursKey(customerId), hourMs, String(hourMs));
      }
      from = Math.min(from, hourMs);
      to = Math.max(to, hourMs);
    }
    pipeline.zremrangebyscore(hoursKey(customerId), '-inf', `(${Date.now() - this.retentionMs}`);
    // The index lives as long as its newest hour: set when it has no expiry yet, and only ever pushed later (Redis 7).
    const until = Math.max(to + this.retentionMs, Date.now());
    pipeline.pexpireat(hoursKey(customerId), until, 'NX');
    pipeline.pexpireat(hoursKey(customerId), until, 'GT');
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0] as Error;
    return { customerId, fromHour: new Date(from).toISOString(), toHour: new Date(to).toISOString() };
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
