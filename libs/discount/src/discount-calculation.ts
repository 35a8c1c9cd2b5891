import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { Clock } from '@app/clock';
import {
  applyReservationDiscounts,
  Catalog,
  discountDecider,
  discountStream,
  DiscountHourResult,
  HOUR_MS,
  summarizeHour,
} from '@app/domain';
import { ConcurrencyError, EventStreams, Revision } from '@app/eventstore-client';
import { CustomerBenefitsReader } from './customer-benefits';
import { HourRange, UsageStore } from './usage-store';

const NAMESPACE = '2a7c9e41-6b3d-4f58-9e12-8d4b7c3a1f60';
const DAY_MS = 24 * HOUR_MS;

export interface DiscountJob extends HourRange {
  partnerId: string;
  correlationId: string;
}

/** An event's hours stay well under the store's 1 MiB append limit: a day of big hours is written in several events. */
const MAX_EVENT_BYTES = 256 * 1024;
/** Days of one job decided at once: each is its own stream, so they do not contend. */
const DAYS_IN_FLIGHT = 8;
/** Times a day is decided on fresh reads when another job wrote it meanwhile; then the job fails, and BullMQ tries it again later. */
const ATTEMPTS = 3;

type Outcome = { hours: number; records: number; written: number };

/**
 * Applies the reservation discount to one customer's usage in the hours of
 * its batch (or, for a job queued before jobs named them, a range of hours)
 * and records DiscountApplied per customer-day, with the hours whose
 * result changed. Deterministic: rerunning it for the same hours with the
 * same inputs writes nothing new.
 *
 * Jobs of one customer run at once, and a job reads usage well before it
 * writes. So each day's stream revision is read before the usage, and the
 * day is appended at that revision: a job that wrote the day in between
 * (on newer usage) makes this one's append fail, and the day is decided
 * again on fresh reads, instead of an older result superseding a newer one.
 */
@Injectable()
export class DiscountCalculation {
  constructor(
    private readonly usage: UsageStore,
    private readonly benefits: CustomerBenefitsReader,
    private readonly streams: EventStreams,
    private readonly catalog: Catalog,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs passes until one ends on the usage it began with: a correction
   * during a pass may have been read only in part, and its own job may find
   * nothing to write over what this pass wrote (a correction back to the
   * values the stored result came from), so this job computes again.
   */
  async run(job: DiscountJob): Promise<Outcome> {
    let written = 0;
    for (let pass = 1; ; pass++) {
      const version = await this.usage.versionOf(job.customerId);
      const outcome = await this.pass(job);
      written += outcome.written;
      if ((await this.usage.versionOf(job.customerId)) === version) return { ...outcome, written };
      if (pass >= ATTEMPTS)
        throw new Error(
          `the usage of customer ${job.customerId} kept changing during its discount; the job will be tried again`,
        );
    }
  }

  private async pass(job: DiscountJob): Promise<Outcome> {
    const byDay = new Map<string, Outcome>();
    // The hours are listed before the revisions are read: an hour that joins the index later was saved later, and its save queued its own job.
    let days = [...new Set((await this.usage.hoursOf(job)).map((hour) => hour.slice(0, 10)))];
    for (let attempt = 1; days.length > 0; attempt++) {
      const conflicts = await this.decideDays(job, days, attempt > 1, byDay);
      const [conflict] = conflicts.values();
      if (conflict && attempt >= ATTEMPTS) throw conflict;
      days = [...conflicts.keys()];
    }
    const outcomes = [...byDay.values()];
    const sum = (key: keyof Outcome) => outcomes.reduce((total, outcome) => total + outcome[key], 0);
    return { hours: sum('hours'), records: sum('records'), written: sum('written') };
  }

  /** Decides the days, each at the revision read before its usage, and returns those another job wrote meanwhile. */
  private async decideDays(
    job: DiscountJob,
    days: string[],
    fresh: boolean,
    outcomes: Map<string, Outcome>,
  ): Promise<Map<string, ConcurrencyError>> {
    const revisions = new Map<string, Revision>();
    await inBatches(days, DAYS_IN_FLIGHT, async (date) => {
      const stream = discountStream(job.customerId, date);
      // This process's last fold of the day is enough the first time: the append proves it current, and a refusal reads afresh.
      const folded = fresh
        ? await this.streams.aggregate(stream, discountDecider)
        : await this.streams.recent(stream, discountDecider, Infinity);
      revisions.set(date, folded.revision);
    });
    const sorted = [...days].sort();
    const from = Math.max(Date.parse(job.fromHour), Date.parse(sorted[0]));
    const to = Math.min(Date.parse(job.toHour), Date.parse(sorted[sorted.length - 1]) + DAY_MS - HOUR_MS);
    // Only the job's own hours when it names them: a batch of two hours years apart reads two hours.
    const byHour = await this.usage.load({
      customerId: job.customerId,
      fromHour: new Date(from).toISOString(),
      toHour: new Date(to).toISOString(),
      hours: job.hours,
    });
    const { reservations, groupOf } = await this.benefits.of(job.customerId);
    const byDay = new Map<string, { hours: SizedHour[]; records: number }>();
    for (const [hour, usage] of byHour) {
      const date = hour.slice(0, 10);
      // A day whose revision was not read (an hour saved since the listing) is its own job's.
      if (!revisions.has(date)) continue;
      const result = applyReservationDiscounts(usage, reservations, (size) => this.catalog.sizeOf(size), groupOf);
      const summary = summarizeHour(result);
      // What is recorded is the summary, so it is what a rerun compares: hashing every record's detail cost more than the engine.
      const json = JSON.stringify(summary);
      const resultHash = createHash('sha256').update(json).digest('hex');
      const day = byDay.get(date) ?? { hours: [], records: 0 };
      day.hours.push({ result: { hour, resultHash, ...summary }, bytes: Buffer.byteLength(json) + HOUR_FIELDS_BYTES });
      day.records += usage.length;
      byDay.set(date, day);
    }
    const conflicts = new Map<string, ConcurrencyError>();
    await inBatches([...byDay.entries()], DAYS_IN_FLIGHT, async ([date, day]) => {
      let revision = revisions.get(date)!;
      let written = outcomes.get(date)?.written ?? 0;
      try {
        for (const chunk of chunksOf(day.hours)) {
          const handled = await this.record(job, date, chunk, revision);
          revision = handled.revision;
          written += handled.events.length;
        }
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        conflicts.set(date, error);
      } finally {
        outcomes.set(date, { hours: day.hours.length, records: day.records, written });
      }
    });
    return conflicts;
  }

  private async record(job: DiscountJob, date: string, hours: DiscountHourResult[], expectedRevision: Revision) {
    const fingerprint = hours.map((hour) => `${hour.hour}=${hour.resultHash}`).join(',');
    return this.streams.handle(
      discountStream(job.customerId, date),
      discountDecider,
      { type: 'ApplyDiscount', data: { customerId: job.customerId, date, hours } },
      {
        correlationId: job.correlationId,
        // Same hours, same results: same event ids, so even a racing rerun writes once.
        commandId: uuidv5(`${job.customerId}/${date}/${fingerprint}`, NAMESPACE),
        partnerId: job.partnerId,
        actor: 'worker/discount',
        now: await this.clock.now(),
      },
      { expectedRevision },
    );
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
