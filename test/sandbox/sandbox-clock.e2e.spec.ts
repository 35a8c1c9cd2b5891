/**
 * The sandbox clock over HTTP, with a real worker process sharing it through
 * Redis: read it, move it only forward (each move an event), two moves at
 * once, and the worker deciding on the same time as the api.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { queuePrefix, RESERVATION_LIFECYCLE_QUEUE } from '@app/queues';
import { EventStoreConnection } from '@app/eventstore-client';
import { ApiHarness, startApi } from '../support/api-harness';
import { cartWithOneLine } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { RunningProcess, startTsProcess } from '../support/processes';

jest.setTimeout(90_000);
const START = '2027-01-30T12:00:00.000Z';

describe('the sandbox clock', () => {
  let api: ApiHarness;
  let worker: RunningProcess;

  beforeAll(async () => {
    api = await startApi({ SANDBOX_CLOCK: 'true', SANDBOX_CLOCK_START: START });
    worker = startTsProcess('apps/worker/src/main.ts', {
      EVENTSTORE_URL: api.app.get(EventStoreConnection).connectionString,
      REDIS_KEY_PREFIX: api.app.get(Redis).options.keyPrefix!,
      RUN_PROJECTIONS: 'false',
      LOG_LEVEL: 'warn',
      PROVISIONING_LATENCY_MS: '0',
      SANDBOX_CLOCK: 'true',
    });
  });
  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await api?.close();
  });

  const moves = async () => {
    const found: unknown[] = [];
    for await (const { event } of api.app.get(EventStoreDBClient).readAll())
      if (event?.type === 'SandboxClockMoved') found.push(event.data);
    return found;
  };

  it('stands where it was started until moved, and the worker reads the same time', async () => {
    expect((await api.call('GET', '/v1/sandbox/clock')).body).toEqual({ now: START });
    // The worker fulfils on the sandbox's time: the reservation starts at the clock's instant, not the wall clock's.
    const { cartId, customerId } = await cartWithOneLine(api);
    const bought = await api.call('POST', `/v1/carts/${cartId}/purchase`, { headers: { 'idempotency-key': 'buy-1' } });
    expect(bought.status).toBe(201);
    const reservations = await eventually(async () => {
      const listed = (await api.call('GET', `/v1/customers/${customerId}/reservations`, { consistent: false })).body;
      return listed.items?.length > 0 && listed.items;
    });
    expect(reservations[0]).toMatchObject({ effectiveDate: START, expiryDate: '2028-01-30T12:00:00.000Z' });
  });

  it('moves forward, running the daily pass at each 00:05 UTC crossed and at the new time, and records the move', async () => {
    const moved = await api.call('PUT', '/v1/sandbox/clock', { body: { now: '2027-02-02T06:00:00Z' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ now: '2027-02-02T06:00:00.000Z', previous: START, passesRun: 4 });
    expect(moved.headers.get('x-position')).toBe(moved.body.position);
    expect((await api.call('GET', '/v1/sandbox/clock')).body).toEqual({ now: '2027-02-02T06:00:00.000Z' });
    expect(await moves()).toEqual([expect.objectContaining({ from: START, to: '2027-02-02T06:00:00.000Z' })]);
  });

  it('refuses to go backwards (409 CLOCK_BACKWARDS) and writes nothing; the same move again is not a new one', async () => {
    const events = await api.countEvents();
    const back = await api.call('PUT', '/v1/sandbox/clock', { body: { now: '2027-02-01T00:00:00Z' } });
    expect(back.status).toBe(409);
    expect(back.body.code).toBe('CLOCK_BACKWARDS');
    const again = await api.call('PUT', '/v1/sandbox/clock', { body: { now: '2027-02-02T06:00:00.000Z' } });
    expect(again.status).toBe(200);
    expect(again.body.passesRun).toBe(0);
    expect(await api.countEvents()).toBe(events);
  });

  it('of two moves sent at once, the later one wins and the earlier is refused or comes first', async () => {
    const [near, far] = await Promise.all([
      api.call('PUT', '/v1/sandbox/clock', { body: { now: '2027-02-03T00:00:00Z' } }),
      api.call('PUT', '/v1/sandbox/clock', { body: { now: '2027-02-04T00:00:00Z' } }),
    ]);
    expect(far.status).toBe(200);
    expect([200, 409]).toContain(near.status);
    expect((await api.call('GET', '/v1/sandbox/clock')).body.now).toBe('2027-02-04T00:00:00.000Z');
    const recorded = (await moves()) as Array<{ from: string; to: string }>;
    // Each move starts where the one before ended: the clock never went back.
    for (let i = 1; i < recorded.length; i++) expect(recorded[i].from).toBe(recorded[i - 1].to);
  });

  it('lets no job set the time: a lifecycle job that says it is 2099 runs as of the clock, taking no payment ahead (issues #26, #27)', async () => {
    const { customerId } = await cartWithOneLine(api).then(async ({ cartId, customerId }) => {
      await api.call('POST', `/v1/carts/${cartId}/purchase`, { headers: { 'idempotency-key': 'buy-2' } });
      return { customerId };
    });
    const queue = new Queue(RESERVATION_LIFECYCLE_QUEUE, {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: queuePrefix(api.app.get(Redis).options.keyPrefix!),
    });
    const events = await eventually(
      async () =>
        (await api.call('GET', `/v1/customers/${customerId}/reservations`, { consistent: false })).body.items?.length >
          0 && api.countEvents(),
    );
    const job = await queue.add('forged', { now: '2099-12-31T00:00:00.000Z' });
    const outcome = await eventually(
      async () => (await job.isCompleted()) && (await queue.getJob(job.id!))?.returnvalue,
      30_000,
      () => worker.output(),
    );
    await queue.close();
    expect(outcome).toMatchObject({ paymentsRecorded: 0, expired: 0, renewed: 0 });
    expect(await api.countEvents()).toBe(events);
    expect((await api.call('GET', '/v1/sandbox/clock')).body.now).toBe('2027-02-04T00:00:00.000Z');
  });

  it('refuses bad input with the field named, and a move of more than five years', async () => {
    const bad = await api.call('PUT', '/v1/sandbox/clock', { body: { now: 'tomorrow' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/now/);
    const far = await api.call('PUT', '/v1/sandbox/clock', { body: { now: '2040-01-01T00:00:00Z' } });
    expect(far.status).toBe(422);
    expect(far.body.code).toBe('CLOCK_MOVE_TOO_FAR');
  });
});
