import { SystemClock } from '@app/clock';
/**
 * Two discount jobs of one customer at once, on the embedded store and the
 * local Redis: the job that read usage before a correction must not write
 * its result over the one computed after it. The interleaving is forced
 * through the usage store: the stale job pauses right after reading usage,
 * while the test lands a correction and a second job runs to the end.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { CustomerBenefitsReader, DiscountCalculation, DiscountJob, HourRange, UsageStore } from '@app/discount';
import { Catalog, discountHoursOf, discountStream, DiscountAppliedData, UsageRecord } from '@app/domain';
import { ConcurrencyError, EsdbEventStore, EventStreams } from '@app/eventstore-client';
import { EmbeddedEventStore } from '@app/eventstore-server';
import { ViewReader } from '@app/projections';
import { scanKeys } from '@app/redis';

jest.setTimeout(60_000);

const config = { get: () => 400 } as unknown as ConstructorParameters<typeof UsageStore>[1];

/** The real usage store, with a seam after each read: where the test lands what happens between a job's read and its append. */
class UsageStoreWithPause extends UsageStore {
  afterLoad: () => Promise<void> = async () => undefined;

  override async load(range: HourRange) {
    const read = await super.load(range);
    await this.afterLoad();
    return read;
  }
}

describe('discount jobs of one customer at once', () => {
  let dataDir: string;
  let store: EmbeddedEventStore;
  let client: EventStoreDBClient;
  let redis: Redis;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'discount-race-'));
    store = await EmbeddedEventStore.start({ dataDir });
    client = EventStoreDBClient.connectionString(store.connectionString);
    redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `test:${randomUUID()}:` });
  });

  afterAll(async () => {
    for (const key of await scanKeys(redis, '*')) await redis.unlink(key);
    await redis.quit();
    await client.dispose();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A worker: its own EventStreams (and so its own cache of folds), as a process has. */
  const worker = (usage: UsageStore, streams = new EventStreams(new EsdbEventStore(client))) => ({
    streams,
    calculation: new DiscountCalculation(
      usage,
      new CustomerBenefitsReader(new ViewReader(redis), streams),
      streams,
      Catalog.shipped(),
      new SystemClock(),
    ),
  });

  /** One VM, one hour, two days ago: the record a correction changes. */
  function usageOfOneVm() {
    const customerId = randomUUID();
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 86_400_000).toISOString();
    const record: UsageRecord = {
      recordId: 'u-1',
      customerId,
      subscriptionId: randomUUID(),
      resourceId: 'vm-1',
      region: 'westeurope',
      vmSize: 'Standard_D2s_v5',
      hour,
      quantity: 1,
      payAsYouGoRateUsd: 0.1,
    };
    const job: DiscountJob = {
      customerId,
      fromHour: hour,
      toHour: hour,
      partnerId: 'p-1',
      correlationId: randomUUID(),
    };
    /** The hour's result as the stream holds it now: its latest DiscountApplied. */
    const recorded = async () => {
      const hours = [];
      for await (const { event } of client.readStream(discountStream(customerId, hour))) {
        hours.push(...discountHoursOf(event!.data as unknown as DiscountAppliedData).filter((h) => h.hour === hour));
      }
      return { events: hours.length, latest: hours.at(-1)?.subscriptions?.[0] };
    };
    return { record, job, recorded };
  }

  it.each([
    ['in one worker process', true],
    ['in two worker processes', false],
  ])('writes the result of the usage read after a correction, not the one read before (%s)', async (_, shared) => {
    const usage = new UsageStoreWithPause(redis, config, new SystemClock());
    const stale = worker(usage);
    const fresh = shared ? worker(usage, stale.streams) : worker(new UsageStore(redis, config, new SystemClock()));
    const { record, job, recorded } = usageOfOneVm();
    await usage.save([record]);

    // The stale job reads 1 VM-hour; before it appends, the record is corrected to 0.5 and another job computes and writes that.
    usage.afterLoad = async () => {
      usage.afterLoad = async () => undefined;
      await usage.save([{ ...record, quantity: 0.5 }]);
      expect(await fresh.calculation.run(job)).toMatchObject({ written: 1 });
    };
    const outcome = await stale.calculation.run(job);

    // Its append was refused, so it decided again on the corrected usage: the same result, nothing more written.
    expect(await recorded()).toEqual({
      events: 1,
      latest: expect.objectContaining({ quantity: 0.5, payAsYouGoCostUsd: 0.05 }),
    });
    expect(outcome).toEqual({ hours: 1, records: 1, written: 0 });
  });

  it('decides a day again a bounded number of times, then fails the job for BullMQ to try again', async () => {
    const usage = new UsageStoreWithPause(redis, config, new SystemClock());
    const stale = worker(usage);
    const fresh = worker(new UsageStore(redis, config, new SystemClock()));
    const { record, job, recorded } = usageOfOneVm();
    await usage.save([record]);

    // A correction lands between every read and its append.
    let quantity = 1;
    usage.afterLoad = async () => {
      quantity /= 2;
      await usage.save([{ ...record, quantity }]);
      await fresh.calculation.run(job);
    };
    await expect(stale.calculation.run(job)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(quantity).toBe(1 / 8);
    expect((await recorded()).latest).toMatchObject({ quantity: 1 / 8 });

    // BullMQ's next attempt, with nothing in its way, writes nothing new: the stream already holds the latest usage's result.
    usage.afterLoad = async () => undefined;
    expect(await stale.calculation.run(job)).toMatchObject({ written: 0 });
    expect((await recorded()).latest).toMatchObject({ quantity: 1 / 8 });
  });

  it('computes again when a correction back to the recorded usage lands during its run, whose own job has nothing to write', async () => {
    const usage = new UsageStoreWithPause(redis, config, new SystemClock());
    const stale = worker(usage);
    const fresh = worker(new UsageStore(redis, config, new SystemClock()));
    const { record, job, recorded } = usageOfOneVm();
    await usage.save([record]);
    await fresh.calculation.run(job); // 1 VM-hour recorded
    await usage.save([{ ...record, quantity: 0.5 }]);

    // The stale job reads 0.5; before it appends, the record goes back to 1 and that correction's job finds the stream already right.
    usage.afterLoad = async () => {
      usage.afterLoad = async () => undefined;
      await usage.save([record]);
      expect(await fresh.calculation.run(job)).toMatchObject({ written: 0 });
    };
    await stale.calculation.run(job);

    expect((await recorded()).latest).toMatchObject({ quantity: 1, payAsYouGoCostUsd: 0.1 });
  });
});
