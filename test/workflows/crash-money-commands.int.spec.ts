/**
 * A crash at every point between the appends of a money command: the api is
 * killed with SIGKILL there (CRASH_AT), the client does not retry, and the
 * worker's reactors finish the command; then a retry of the same request
 * answers what was done and writes nothing more. Each outcome is read from
 * the event store: exactly once. Real processes: the store, the worker, an
 * api per crash point; the sandbox clock, so renewals and payments can be
 * reached. Split and merge are one append each, so have no such point; the
 * purchase and the cancellation have theirs in crash-between-appends.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { removeKeys } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { freePort, RunningProcess, startStoreProcess, startTsProcess } from '../support/processes';

jest.setTimeout(240_000);

/** How long the background may take to finish what the api left half-done. */
const HEAL_WITHIN_MS = 15_000;
const START = '2026-12-01T09:00:00.000Z';
const D2 = 'ri-standard_d2s_v5-eastus-p1y';

describe('a crash between the appends of a money command is finished exactly once', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crash-money-'));
  const prefix = `test:${randomUUID()}:`;
  let store: Awaited<ReturnType<typeof startStoreProcess>>;
  let client: EventStoreDBClient;
  let worker: RunningProcess;
  let api: { proc: RunningProcess; url: string } | undefined;
  const env = () => ({
    EVENTSTORE_URL: store.connectionString,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    PROVISIONING_LATENCY_MS: '0',
    THROTTLE_LIMIT: '1000000',
    SANDBOX_CLOCK: 'true',
    SANDBOX_CLOCK_START: START,
  });

  /** An api process (dying at `crashAt`, if given); the one before it is stopped. */
  async function useApi(crashAt?: string): Promise<string> {
    await api?.proc.kill('SIGTERM');
    const port = await freePort();
    const proc = startTsProcess('apps/api/src/main.ts', {
      ...env(),
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      ...(crashAt ? { CRASH_AT: crashAt } : {}),
    });
    const url = `http://127.0.0.1:${port}`;
    await eventually(
      async () => (await fetch(`${url}/health/live`).catch(() => undefined))?.ok,
      60_000,
      () => proc.output(),
    );
    api = { proc, url };
    return url;
  }

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${api!.url}${path}`, {
      method,
      headers: {
        'x-api-key': 'demo-key-contoso',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
  };

  /** A retry as a client sends it: the same request again while the dead api's hold on its key lapses (409 IDEMPOTENCY_KEY_IN_USE). */
  const retry = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
    eventually(async () => {
      const answer = await call(method, path, body, headers);
      return answer.body?.code !== 'IDEMPOTENCY_KEY_IN_USE' && answer;
    }, 60_000);

  /** A command the api dies in the middle of: no answer, and the process gone by SIGKILL. */
  async function dies(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    await expect(call(method, path, body, headers)).rejects.toThrow();
    expect(await api!.proc.exited).toBe('SIGKILL');
  }

  async function events(stream: string): Promise<Array<{ type: string; data: any }>> {
    const found: Array<{ type: string; data: any }> = [];
    try {
      for await (const { event } of client.readStream(stream)) found.push({ type: event!.type, data: event!.data });
    } catch {
      // not written yet
    }
    return found;
  }
  const count = async (stream: string, type: string) => (await events(stream)).filter((e) => e.type === type).length;

  let customerId: string;
  let subscriptionId: string;
  /** One order of one line through the API; its reservation once the worker fulfilled it. */
  async function bought(
    quantity: number,
    billingPlan: 'Upfront' | 'Monthly' = 'Upfront',
  ): Promise<{ orderId: string; reservationId: string }> {
    const cart = (await call('POST', `/v1/customers/${customerId}/carts`)).body.cartId;
    await call('POST', `/v1/carts/${cart}/items`, {
      catalogItemId: D2,
      quantity,
      subscriptionId,
      term: 'P1Y',
      billingPlan,
    });
    const { orderId } = (
      await call('POST', `/v1/carts/${cart}/purchase`, undefined, { 'idempotency-key': randomUUID() })
    ).body;
    const reservationId = await eventually(
      async () => {
        const order = (await call('GET', `/v1/orders/${orderId}`)).body;
        return order.status === 'completed' && order.reservationIds[0];
      },
      30_000,
      () => worker.output(),
    );
    // Read back through the views, so the commands that follow find it.
    await eventually(async () => (await call('GET', `/v1/reservations/${reservationId}`)).status === 200 || undefined);
    return { orderId, reservationId };
  }

  beforeAll(async () => {
    store = await startStoreProcess(dataDir);
    client = EventStoreDBClient.connectionString(store.connectionString);
    worker = startTsProcess('apps/worker/src/main.ts', env());
    await useApi();
    customerId = (await call('POST', '/v1/customers', { name: 'Crash Money Ltd' })).body.customerId;
    subscriptionId = randomUUID();
    await call('POST', `/v1/customers/${customerId}/subscriptions`, { subscriptionId, name: 'Main' });
  });

  afterAll(async () => {
    await api?.proc.kill('SIGTERM');
    await worker?.kill('SIGTERM');
    await client?.dispose();
    await store?.proc.kill('SIGTERM');
    await removeKeys(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a partial return whose api died after the refund ledger: the return is made, one refund counted; a retry answers it', async () => {
    const { orderId, reservationId } = await bought(3);
    await useApi('return:after-ledger');
    const key = { 'idempotency-key': randomUUID() };
    await dies('POST', `/v1/reservations/${reservationId}/return`, { quantity: 1 }, key);
    expect((await events(`refund-ledger-${customerId}`)).map((e) => e.type)).toEqual(['RefundRecorded']);
    await eventually(
      async () => (await count(`order-${orderId}`, 'ReservationQuantityReturned')) === 1 || undefined,
      HEAL_WITHIN_MS,
      () => worker.output(),
    );
    await useApi();
    const retried = await retry('POST', `/v1/reservations/${reservationId}/return`, { quantity: 1 }, key);
    expect({ status: retried.status, quantity: retried.body.quantity }).toEqual({ status: 200, quantity: 2 });
    expect(await count(`order-${orderId}`, 'ReservationQuantityReturned')).toBe(1);
    expect(await count(`refund-ledger-${customerId}`, 'RefundRecorded')).toBe(1);
  });

  for (const point of ['exchange:after-request', 'exchange:after-hold', 'exchange:after-decision']) {
    it(`an exchange of two orders whose api died at ${point}: finished by the reactor, each given back once, bought once; a retry answers it`, async () => {
      const [one, other] = [await bought(1), await bought(1)];
      await useApi(point);
      const key = { 'idempotency-key': randomUUID() };
      const asked = {
        customerId,
        returns: [{ reservationId: one.reservationId }, { reservationId: other.reservationId }],
        purchase: { catalogItemId: 'ri-standard_d4s_v5-eastus-p1y', quantity: 1 },
      };
      await dies('POST', '/v1/exchanges', asked, key);
      const exchanged = async () =>
        (await count(`order-${one.orderId}`, 'ReservationExchanged')) +
        (await count(`order-${other.orderId}`, 'ReservationExchanged'));
      await eventually(
        async () => (await exchanged()) === 2 || undefined,
        HEAL_WITHIN_MS,
        () => worker.output(),
      );
      await useApi();
      const retried = await retry('POST', '/v1/exchanges', asked, key);
      expect(retried.status).toBe(201);
      expect(await exchanged()).toBe(2);
      const purchased = (await events(`order-${one.orderId}`)).filter(
        (e) => e.type === 'ReservationProvisioned' && e.data.origin?.type === 'exchange',
      );
      expect(purchased.map((e) => e.data.reservationId)).toEqual([retried.body.reservation.reservationId]);
      expect(await count(`order-${other.orderId}`, 'ReservationExchangeReleased')).toBe(0);
    });
  }

  it('a renewal whose api died between deciding it and placing its order (moving the sandbox clock): the order is placed once, by the reactor', async () => {
    const { reservationId } = await bought(1);
    await useApi('renewal:after-decision');
    // Everything here was bought at the clock's start, so expires a year on: the move's pass renews it and dies after the first decision.
    const expiry = (await call('GET', `/v1/reservations/${reservationId}`)).body.expiryDate;
    await dies('PUT', '/v1/sandbox/clock', { now: expiry });
    const renewals = async () => {
      const found: Array<{ renewalOrderId: string; reservationId: string }> = [];
      for await (const { event } of client.readAll())
        if (event?.type === 'ReservationRenewed') found.push(event.data as never);
      return found;
    };
    const [decided] = await renewals();
    expect(await renewals()).toHaveLength(1);
    // Decided, not placed: the reactor places it, and the worker fulfils it.
    await eventually(
      async () => (await count(`order-${decided.renewalOrderId}`, 'OrderCompleted')) === 1 || undefined,
      HEAL_WITHIN_MS,
      () => worker.output(),
    );
    // The move, sent again, finishes its walk: every other renewal is bought, none twice.
    await useApi();
    expect((await call('PUT', '/v1/sandbox/clock', { now: expiry })).status).toBe(200);
    const all = await renewals();
    expect(new Set(all.map((r) => r.reservationId)).size).toBe(all.length);
    expect(all.map((r) => r.reservationId)).toContain(reservationId);
    for (const { renewalOrderId } of all) {
      expect(await count(`order-${renewalOrderId}`, 'OrderPlaced')).toBe(1);
      await eventually(
        async () => (await count(`order-${renewalOrderId}`, 'OrderCompleted')) === 1 || undefined,
        HEAL_WITHIN_MS,
        () => worker.output(),
      );
      expect(await count(`order-${renewalOrderId}`, 'ReservationProvisioned')).toBe(1);
    }
  });

  it('a daily pass whose api died after taking one reservation’s payments: the move sent again takes the rest, each payment once', async () => {
    const monthly = [await bought(1, 'Monthly'), await bought(2, 'Monthly')];
    const now = (await call('GET', '/v1/sandbox/clock')).body.now;
    const aMonthOn = new Date(Date.parse(now) + 32 * 86_400_000).toISOString();
    await useApi('lifecycle:after-payments');
    await dies('PUT', '/v1/sandbox/clock', { now: aMonthOn });
    const paid = async () =>
      Promise.all(monthly.map(({ orderId }) => count(`order-${orderId}`, 'ReservationPaymentRecorded')));
    // Payment 1 of each at purchase; the pass took payment 2 of one of them before it died.
    expect((await paid()).sort()).toEqual([1, 2]);
    await useApi();
    expect((await call('PUT', '/v1/sandbox/clock', { now: aMonthOn })).status).toBe(200);
    expect(await paid()).toEqual([2, 2]);
  });
});
