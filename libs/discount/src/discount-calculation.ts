import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { applyReservationDiscounts, Catalog, discountDecider, discountStream, DiscountHourResult, summarizeHour } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { CustomerBenefitsReader } from './customer-benefits';
import { HourRange, UsageStore } from './usage-store';

const NAMESPACE = '2a7c9e41-6b3d-4f58-9e12-8d4b7c3a1f60';

export interface DiscountJob extends HourRange {
  partnerId: string;
  correlationId: string;
}

/** An event's hours stay well under the store's 1 MiB append limit: a day of big hours is written in several events. */
const MAX_EVENT_BYTES = 256 * 1024;
/** Days of one job decided at once: each is its own stream, so they do not contend. */
const DAYS_IN_FLIGHT = 8;

/**
 * Applies the reservation discount to one customer's usage over a range of
 * hours and records DiscountApplied per customer-day, with the hours whose
 * result changed. Deterministic: rerunning it for the same hours with the
 * same inputs writes nothing new.
 */
@Injectable()
export class DiscountCalculation {
  constructor(
    private readonly usage: UsageStore,
    private readonly benefits: CustomerBenefitsReader,
    private readonly streams: EventStreams,
    private readonly catalog: Catalog,
  ) {}

  async run(job: DiscountJob): Promise<{ hours: number; records: number; written: number }> {
    const byHour = await this.usage.load(job);
    const { reservations, groupOf } = await this.benefits.of(job.customerId);
    const byDay = new Map<string, SizedHour[]>();
    let records = 0;
    for (const [hour, usage] of byHour) {
      const result = applyReservationDiscounts(usage, reservations, (size) => this.catalog.sizeOf(size), groupOf);
      const summary = summarizeHour(result);
      // What is recorded is the summary, so it is what a rerun compares: hashing every record's detail cost more than the engine.
      const json = JSON.stringify(summary);
      const resultHash = createHash('sha256').update(json).digest('hex');
      const date = hour.slice(0, 10);
      const day = byDay.get(date) ?? [];
      day.push({ result: { hour, resultHash, ...summary }, bytes: Buffer.byteLength(json) + HOUR_FIELDS_BYTES });
      byDay.set(date, day);
      records += usage.length;
    }
    let written = 0;
    await inBatches([...byDay.entries()], DAYS_IN_FLIGHT, async ([date, hours]) => {
      for (const chunk of chunksOf(hours)) written += await this.record(job, date, chunk);
    });
    return { hours: byHour.size, records, written };
  }

  private async record(job: DiscountJob, date: string, hours: DiscountHourResult[]): Promise<number> {
    const fingerprint = hours.map((hour) => `${hour.hour}=${hour.resultHash}`).join(',');
    const handled = await this.streams.handle(
      discountStream(job.customerId, date),
      discountDecider,
      { type: 'ApplyDiscount', data: { customerId: job.customerId, date, hours } },
      {
        correlationId: job.correlationId,
        // Same hours, same results: same event ids, so even a racing rerun writes once.
        commandId: uuidv5(`${job.customerId}/${date}/${fingerprint}`, NAMESPACE),
        partnerId: job.partnerId,
        actor: 'worker/discount',
        now: new Date().toISOString(),
      },
    );
    return handled.events.length;
  }
}

/** An hour's result with the size of its JSON, known from hashing it, so chunking need not serialize it again. */
interface SizedHour {
  result: DiscountHourResult;
  bytes: number;
}

/** `hour` and `resultHash` with their keys and quotes, beside the summary's own JSON. */
const HOUR_FIELDS_BYTES = 128;

/** The hours of a day in groups whose JSON stays under MAX_EVENT_BYTES. */
function chunksOf(hours: SizedHour[]): DiscountHourResult[][] {
  const chunks: DiscountHourResult[][] = [];
  let current: DiscountHourResult[] = [];
  let bytes = 0;
  for (const { result, bytes: size } of hours) {
    if (current.length > 0 && bytes + size > MAX_EVENT_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(result);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Runs `work` over the items, at most `limit` at a time. */
async function inBatches<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}
