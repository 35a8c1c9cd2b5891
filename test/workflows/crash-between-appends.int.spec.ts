/**
 * Workflows that span streams finish without the client. The api is killed
 * with SIGKILL between the two appends of a purchase (cart, then order) and
 * of a cancellation (refund ledger, then reservation order); the client does
 * not retry, and the worker's reactors finish each job from the event that
 * started it. Real processes: the store, the worker, the api.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { orderIdFor } from '../../apps/api/src/carts/purchase-order/purchase-order.command';
import { removeKeys } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { line } from '../support/fixtures';
import { freePort, RunningProcess, startStoreProcess, startTsProcess } from '../support/processes';
import { seedReservationOrder } from '../support/reservation-orders';

jest.setTimeout(120_000);

/** How long the background may take to finish what the api left half-done. */
const HEAL_WITHIN_MS = 10_000;
/** An empty list is not there yet: `eventually` would take it as an answer. */
const nonEmpty = <T>(items: T[]) => (items.length > 0 ? items : undefined);

describe('a crash between two appends is finished in the background', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crash-'));
  const prefix = `test:${randomUUID()}:`;
  let store: Awaited<ReturnType<typeof startStoreProcess>>;
  let client: EventStoreDBClient;
  let worker: RunningProcess;
  const env = () => ({
    EVENTSTORE_URL: store.connectionString,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    PROVISIONING_LATENCY_MS: '0',
    THROTTLE_LIMIT: '1000000',
  });

  /** An api process that dies at `crashAt`; resolves once it answers. */
  async function startApi(crashAt: string): Promise<{ proc: RunningProcess; url: string }> {
    const port = await freePort();
    const proc = startTsProcess('apps/api/src/main.ts', {
      ...env(),
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      CRASH_AT: crashAt,
    });
    const url = `http://127.0.0.1:${port}`;
    await eventually(
      async () => (await fetch(`${url}/health/live`).catch(() => undefined))?.ok,
      60_000,
      () => proc.output(),
    );
    return { proc, url };
  }

  const call = async (url: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        'x-api-key': 'demo-key-contoso',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
  };

  async function events(stream: string): Promise<Array<{ type: string; data: any }>> {
    const found: Array<{ type: string; data: any }> = [];
    try {
      for await (const { event } of client.readStream(stream)) found.push({ type: event!.type, data: event!.data });
    } catch {
      // not written yet
    }
    return found;
  }

  beforeAll(async () => {
    store = await startStoreProcess(dataDir);
    client = EventStoreDBClient.connectionString(store.connectionString);
    worker = startTsProcess('apps/worker/src/main.ts', env());
  });

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await client?.dispose();
    await store?.proc.kill('SIGTERM');
    await removeKeys(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('places the order of a cart whose purchase the api recorded just before it died', async () => {
    const api = await startApi('purchase:after-cart');
    const customerId = (await call(api.url, 'POST', '/v1/customers', { name: 'Crash Purchase Ltd' })).body.customerId;
    const subscriptionId = randomUUID();
    await call(api.url, 'POST', `/v1/customers/${customerId}/subscriptions`, { subscriptionId, name: 'Main' });
    const cartId = (await call(api.url, 'POST', `/v1/customers/${customerId}/carts`)).body.cartId;
    await call(api.url, 'POST', `/v1/carts/${cartId}/items`, line(subscriptionId));

    // The purchase gets no answer: the api died between CartPurchased and OrderPlaced.
    await expect(call(api.url, 'POST', `/v1/carts/${cartId}/purchase`)).rejects.toThrow();
    expect(await api.proc.exited).toBe('SIGKILL');
    const cart = await events(`cart-${cartId}`);
    expect(cart.at(-1)!.type).toBe('CartPurchased');

    // No retry: the order appears on its own, once.
    const placed = await eventually(
      async () => nonEmpty((await events(`order-${orderIdFor(cartId)}`)).filter((e) => e.type === 'OrderPlaced')),
      HEAL_WITHIN_MS,
      () => worker.output(),
    );
    expect(placed.length).toBe(1);
    expect(placed[0].data).toMatchObject({ orderNumber: cart.at(-1)!.data.orderNumber, customerId, cartId });
    // And the order is then fulfilled like any other.
    await eventually(
      async () => (await events(`order-${orderIdFor(cartId)}`)).some((e) => e.type === 'OrderCompleted') || undefined,
      30_000,
      () => worker.output(),
    );
  });

  it('cancels the reservation whose refund the api recorded just before it died, counting the refund once', async () => {
    const api = await startApi('cancel:after-ledger');
    const customerId = (await call(api.url, 'POST', '/v1/customers', { name: 'Crash Cancel Ltd' })).body.customerId;
    const subscriptionId = randomUUID();
    await call(api.url, 'POST', `/v1/customers/${customerId}/subscriptions`, { subscriptionId, name: 'Main' });
    const { orderId, reservationIds } = await seedReservationOrder(
      client,
      { customerId, partnerId: 'partner-contoso', subscriptionIds: [subscriptionId] },
      [{ quantity: 1 }],
    );
    const [reservationId] = reservationIds;
    await eventually(
      async () => (await call(api.url, 'GET', `/v1/reservations/${reservationId}`)).status === 200 || undefined,
      30_000,
      () => worker.output(),
    );

    await expect(call(api.url, 'POST', `/v1/reservations/${reservationId}/cancel`)).rejects.toThrow();
    expect(await api.proc.exited).toBe('SIGKILL');
    const ledger = await events(`refund-ledger-${customerId}`);
    expect(ledger.map((e) => e.type)).toEqual(['RefundRecorded']);

    const cancelled = await eventually(
      async () => nonEmpty((await events(`order-${orderId}`)).filter((e) => e.type === 'ReservationCancelled')),
      HEAL_WITHIN_MS,
      () => worker.output(),
    );
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0].data).toMatchObject({
      reservationId,
      cancellationId: ledger[0].data.cancellationId,
      refundUsd: ledger[0].data.amountUsd,
    });
    expect((await events(`refund-ledger-${customerId}`)).map((e) => e.type)).toEqual(['RefundRecorded']);
  });
});
