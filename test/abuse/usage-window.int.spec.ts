/**
 * Usage a partner could send to fill Redis or to make the api and workers
 * read without bound, over HTTP on a sandbox clock, with a worker process:
 * hours far in the past or the future are refused whole; a batch of two
 * hours far apart makes its discount job read two hours, not every stored
 * hour between them; recommendations read the daily summary, not every record.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { EventStoreConnection } from '@app/eventstore-client';
import { DISCOUNT_QUEUE, queuePrefix } from '@app/queues';
import { scanKeys } from '@app/redis';
import { ApiHarness, startApi } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { RunningProcess, startTsProcess } from '../support/processes';

jest.setTimeout(120_000);

const NOW = '2027-03-10T10:30:00.000Z';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RETENTION_DAYS = 30;
const ENV = { SANDBOX_CLOCK: 'true', SANDBOX_CLOCK_START: NOW, USAGE_RETENTION_DAYS: String(RETENTION_DAYS) };
/** The whole hour `hours` after (or before) the clock's. */
const hourFromNow = (hours: number) => new Date(Math.floor(Date.parse(NOW) / HOUR) * HOUR + hours * HOUR).toISOString();

describe('usage outside its window, and reads bounded by what was sent', () => {
  let api: ApiHarness;
  let worker: RunningProcess;
  let redis: Redis;
  let queue: Queue;
  /** BullMQ leaves a connection it was given open on close: this one is closed here, or Jest never exits. */
  let queueConnection: Redis;

  beforeAll(async () => {
    api = await startApi(ENV);
    redis = api.app.get(Redis);
    worker = startTsProcess('apps/worker/src/main.ts', {
      ...ENV,
      EVENTSTORE_URL: api.app.get(EventStoreConnection).connectionString,
      REDIS_KEY_PREFIX: redis.options.keyPrefix!,
      RUN_PROJECTIONS: 'false',
      LOG_LEVEL: 'warn',
    });
    queueConnection = new Redis('redis://127.0.0.1:6379');
    queue = new Queue(DISCOUNT_QUEUE, {
      connection: queueConnection,
      prefix: queuePrefix(redis.options.keyPrefix!),
    });
  });
  afterAll(async () => {
    await queue?.close();
    await queueConnection?.quit();
    await worker?.kill('SIGTERM');
    await api?.close();
  });

  async function customer() {
    const customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Usage Co' } })).body
      .customerId as string;
    const subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, { body: { subscriptionId, name: 'Main' } });
    const record = (hour: string, vm = 'vm-1') => ({
      customerId,
      subscriptionId,
      resourceId: vm,
      region: 'eastus',
      vmSize: 'Standard_D2s_v5',
      hour,
      quantity: 1,
      payAsYouGoRateUsd: 0.096,
    });
    return { customerId, subscriptionId, record };
  }
  /** Every job the queue knows, whatever its state: a refused batch must add none. */
  const jobsKnown = async () => Object.values(await queue.getJobCounts()).reduce((sum, n) => sum + n, 0);
  const storedKeys = async (customerId: string) => (await scanKeys(redis, `usage*{${customerId}}*`)).sort();
  const finished = (jobId: string) =>
    eventually(
      async () => {
        const job = await Job.fromId(queue, jobId);
        return job?.finishedOn ? job : undefined;
      },
      60_000,
      () => worker.output(),
    );

  it('refuses hours of 9999 and 1971 whole: 422 naming the record, nothing stored and no job queued', async () => {
    const { customerId, record } = await customer();
    const jobsBefore = await jobsKnown();
    for (const [records, index] of [
      [[record(hourFromNow(-1)), record('9999-01-01T00:00:00Z', 'vm-2')], 1],
      [[record('1971-01-01T00:00:00Z'), record(hourFromNow(-1), 'vm-2')], 0],
    ] as const) {
      const refused = await api.call('POST', '/v1/usage', { body: { records } });
      expect({ status: refused.status, code: refused.body.code, details: refused.body.details }).toEqual({
        status: 422,
        code: 'USAGE_HOUR_OUT_OF_RANGE',
        details: {
          index,
          from: new Date(Date.parse(NOW) - RETENTION_DAYS * DAY).toISOString(),
          to: new Date(Date.parse(NOW) + HOUR).toISOString(),
        },
      });
      expect(refused.body.message).toContain(`records[${index}].hour`);
    }
    expect(await storedKeys(customerId)).toEqual([]);
    expect(await jobsKnown()).toBe(jobsBefore);
  });

  it('takes hours from the retention before the clock to an hour after it, and no further', async () => {
    const { customerId, record } = await customer();
    const oldest = hourFromNow(-RETENTION_DAYS * 24 + 1); // the clock stands at 10:30: the hour at 10:00 of that day has passed the retention
    for (const [hour, status] of [
      [hourFromNow(-RETENTION_DAYS * 24), 422],
      [oldest, 202],
      [hourFromNow(1), 202],
      [hourFromNow(2), 422],
    ] as const) {
      expect({
        hour,
        status: (await api.call('POST', '/v1/usage', { body: { records: [record(hour)] } })).status,
      }).toEqual({ hour, status });
    }
    // What was taken expires: no stored hour outlives the retention.
    for (const hour of [oldest, hourFromNow(1)]) {
      const ttl = await redis.pttl(`usage:{${customerId}}:${Date.parse(hour)}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(RETENTION_DAYS * DAY + HOUR);
    }
  });

  it('makes the discount job of a batch of two hours far apart read those two hours, not the 200 stored between them', async () => {
    const { record } = await customer();
    // 200 hours stored between the two, each with its own job.
    const between = Array.from({ length: 200 }, (_, h) => record(hourFromNow(-20 * 24 + h)));
    const seeded = await api.call('POST', '/v1/usage', { body: { records: between } });
    expect(seeded.status).toBe(202);
    for (const jobId of seeded.body.jobs)
      expect((await finished(jobId)).returnvalue).toMatchObject({ hours: 200, records: 200 });

    const apart = await api.call('POST', '/v1/usage', {
      body: { records: [record(hourFromNow(-29 * 24), 'vm-2'), record(hourFromNow(0), 'vm-2')] },
    });
    expect(apart.status).toBe(202);
    expect(apart.body.jobs).toHaveLength(1);
    const job = await finished(apart.body.jobs[0]);
    expect(job.failedReason).toBeUndefined();
    expect(job.returnvalue).toMatchObject({ hours: 2, records: 2 });
  });

  it('answers recommendations from the daily summary: a row per hour for 20 VMs, and the same answer without the raw records', async () => {
    const { customerId, subscriptionId, record } = await customer();
    // Seven whole days before today, 20 steady VMs.
    const today = Math.floor(Date.parse(NOW) / DAY) * DAY;
    const hours = Array.from({ length: 7 * 24 }, (_, h) => new Date(today - 7 * DAY + h * HOUR).toISOString());
    const records = hours.flatMap((hour) => Array.from({ length: 20 }, (_, v) => record(hour, `vm-${v}`)));
    expect((await api.call('POST', '/v1/usage', { body: { records } })).status).toBe(202);

    const recommended = await api.call('GET', `/v1/customers/${customerId}/recommendations?lookBackDays=7`);
    expect(recommended.status).toBe(200);
    expect(recommended.body.items).toEqual([expect.objectContaining({ subscriptionId, recommendedQuantity: 20 })]);
    const summaries = await scanKeys(redis, `usage-daily:{${customerId}}:*`);
    expect(summaries).toHaveLength(7);
    const rows = (await Promise.all(summaries.map((key) => redis.hlen(key)))).reduce((a, b) => a + b, 0);
    expect(rows).toBe(7 * 24);

    // The route reads no record: with every hour's records gone, it answers the same.
    for (const key of await scanKeys(redis, `usage:{${customerId}}:*`)) await redis.unlink(key);
    expect((await api.call('GET', `/v1/customers/${customerId}/recommendations?lookBackDays=7`)).body).toEqual(
      recommended.body,
    );
  });
});
