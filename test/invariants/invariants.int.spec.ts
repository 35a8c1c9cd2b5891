/**
 * npm run test:invariants — the money invariants under concurrency and
 * crashes. Real processes (api ×2, worker ×2, the embedded store, a Redis of
 * its own); many clients send randomized, concurrent purchases, order
 * cancels during fulfilment, scope changes, splits, merges and returns,
 * with duplicates and retries under the same Idempotency-Key, while an api
 * and a worker are killed with SIGKILL. A checker then reads $all and the
 * views and asserts every invariant of docs/reliability.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { readEverything, replayVerify } from '../support/system-checks';
import { freePort, RunningProcess, startRedisServer, startStoreProcess, startTsProcess } from '../support/processes';
import { moneyViolations } from './invariant-checker';

const CLIENTS = Number(process.env.INVARIANT_CLIENTS ?? 16);
const ROUNDS = Number(process.env.INVARIANT_ROUNDS ?? 6);
const PREFIX = 'invariants:';
/** Longer than a killed api's claim on an Idempotency-Key (30 s). */
const RETRY_FOR_MS = 90_000;
/** Cheap sizes, a dear one (its returns reach the refund cap) and one whose provisioning always fails. */
const ITEMS = [
  'ri-standard_d2s_v5-eastus-p1y',
  'ri-standard_d4s_v5-westeurope-p1y',
  'ri-standard_e8s_v5-eastus-p1y',
  'ri-standard_d64s_v5-japaneast-p3y',
  'ri-standard_l32s_v3-eastus-p1y',
];
/** A size of the same flexibility group and region to exchange each for (L-series has none here: those exchanges are refused). */
const EXCHANGE_FOR: Record<string, string> = {
  Standard_D2s_v5: 'ri-standard_d4s_v5-eastus-p1y',
  Standard_D4s_v5: 'ri-standard_d8s_v5-westeurope-p1y',
  Standard_E8s_v5: 'ri-standard_e16s_v5-eastus-p1y',
  Standard_D64s_v5: 'ri-standard_d16s_v5-japaneast-p3y',
};

jest.setTimeout(15 * 60_000);

interface Answer {
  status: number;
  body: any;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)];

describe('money invariants under concurrency and crashes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'invariants-store-'));
  const redisDir = mkdtempSync(join(tmpdir(), 'invariants-redis-'));
  let storeUrl: string;
  let redis: RunningProcess;
  let store: RunningProcess;
  let env: Record<string, string>;
  const apis: Array<{ proc: RunningProcess; port: number; url: string }> = [];
  const workers: RunningProcess[] = [];
  /** command → outcome (status and code) → count */
  const outcomes = new Map<string, Map<string, number>>();
  const serverErrors: string[] = [];

  const record = (command: string, answer: Answer | string) => {
    const outcome = typeof answer === 'string' ? answer : `${answer.status}${answer.body?.code ? ` ${answer.body.code}` : ''}`;
    const counts = outcomes.get(command) ?? new Map<string, number>();
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    outcomes.set(command, counts);
    if (typeof answer !== 'string' && answer.status >= 500 && answer.status !== 503)
      serverErrors.push(`${command}: ${answer.status} ${JSON.stringify(answer.body)}`);
  };

  async function once(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'x-api-key': 'demo-key-contoso', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /**
   * A command as an upstream service sends it: with a key, retried unchanged after no answer, 503, 429 or a key
   * still in use. A key held by an api killed mid-request stays in use for up to 30 s, so retries go on for longer.
   */
  async function command(name: string, method: string, path: string, body?: unknown, key = randomUUID()): Promise<Answer> {
    const deadline = Date.now() + RETRY_FOR_MS;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const api = apis[(attempt + Math.floor(Math.random() * 2)) % apis.length];
      try {
        const answer = await once(api.url, method, path, body, { 'idempotency-key': key });
        record(name, answer);
        const retry =
          answer.status === 503 ||
          answer.status === 429 ||
          (answer.status === 409 && ['IDEMPOTENCY_KEY_IN_USE', 'CONCURRENT_MODIFICATION'].includes(answer.body?.code));
        if (!retry) return answer;
      } catch {
        record(name, 'no answer');
      }
      await sleep(50 + Math.random() * 150);
    }
    throw new Error(`${name} ${path} never got a final answer`);
  }

  async function read(path: string): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await once(apis[attempt % apis.length].url, 'GET', path);
        if (answer.status !== 503) return answer;
      } catch {
        // that api is down; the other answers
      }
      await sleep(100);
    }
  }

  async function finalOrder(orderId: string): Promise<any> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const answer = await read(`/v1/orders/${orderId}`);
      if (answer.status === 200 && answer.body.status !== 'pending') return answer.body;
      await sleep(200);
    }
    return undefined;
  }

  /** One client: buy, sometimes cancel the order at once, then manage what was bought. */
  async function client(c: number) {
    const customerId = (await command('RegisterCustomer', 'POST', '/v1/customers', { name: `Invariant Co ${c}` })).body.customerId;
    const subscriptionId = randomUUID();
    await command('AddSubscription', 'POST', `/v1/customers/${customerId}/subscriptions`, { subscriptionId, name: 'Main' });
    for (let round = 0; round < ROUNDS; round++) {
      const cartId = (await command('CreateCart', 'POST', `/v1/customers/${customerId}/carts`)).body.cartId;
      const lines = 1 + Math.floor(Math.random() * 2);
      // Half the carts billed monthly, so payments are taken, carried over by splits and merges, and stopped by returns.
      const billingPlan = Math.random() < 0.5 ? 'Monthly' : 'Upfront';
      for (let l = 0; l < lines; l++) {
        const catalogItemId = pick(ITEMS);
        await command('AddToCart', 'POST', `/v1/carts/${cartId}/items`, {
          catalogItemId,
          quantity: 1 + Math.floor(Math.random() * 3),
          subscriptionId,
          term: catalogItemId.endsWith('p3y') ? 'P3Y' : 'P1Y',
          billingPlan,
        });
      }
      await command('SetScope', 'PUT', `/v1/carts/${cartId}/scope`, anyScope(subscriptionId));
      const key = randomUUID();
      // Sometimes the same purchase twice at once, with the same key, as a client retrying after a timeout does.
      const buys = await Promise.all(
        Array.from({ length: Math.random() < 0.3 ? 2 : 1 }, () => command('PurchaseOrder', 'POST', `/v1/carts/${cartId}/purchase`, undefined, key)),
      );
      const orderId = buys.find((b) => b.status < 300)?.body.orderId;
      if (!orderId) continue;
      if (Math.random() < 0.3) await command('CancelOrder', 'POST', `/v1/orders/${orderId}/cancel`, { reason: 'changed mind' });
      const order = await finalOrder(orderId);
      if (!order) continue;
      for (const reservation of order.reservations.filter((r: { provisioningState: string }) => r.provisioningState === 'Succeeded'))
        await manage(reservation, subscriptionId);
    }
  }

  /** Shared, the subscription, or a resource group in it. */
  const anyScope = (subscriptionId: string) =>
    pick([{ type: 'shared' }, { type: 'single', subscriptionId }, { type: 'resourceGroup', subscriptionId, resourceGroup: 'rg-invariants' }]);

  async function manage(reservation: { reservationId: string; quantity: number; armSkuName: string }, subscriptionId: string) {
    const id = reservation.reservationId;
    const action = pick(['scope', 'split', 'split-merge', 'return', 'return-race', 'split-return-race', 'partial-return-race', 'exchange-race', 'nothing']);
    switch (action) {
      case 'scope':
        await command('ChangeScope', 'PUT', `/v1/reservations/${id}/scope`, anyScope(subscriptionId));
        break;
      case 'split':
      case 'split-merge': {
        if (reservation.quantity < 2) return;
        const split = await Promise.all(
          [1, 2].map(() => command('SplitReservation', 'POST', `/v1/reservations/${id}/split`, { quantities: [1, reservation.quantity - 1] })),
        );
        const parts = split.find((s) => s.status === 201)?.body.items.map((p: { reservationId: string }) => p.reservationId);
        if (action === 'split-merge' && parts) {
          await Promise.all([1, 2, 3].map(() => command('MergeReservations', 'POST', '/v1/reservations/merge', { reservationIds: parts })));
        }
        break;
      }
      case 'return':
        await command('CancelReservation', 'POST', `/v1/reservations/${id}/cancel`);
        break;
      case 'return-race':
        // Three returns at once, each with its own key: exactly what a client that gave up waiting sends.
        await Promise.all([1, 2, 3].map(() => command('CancelReservation', 'POST', `/v1/reservations/${id}/cancel`)));
        break;
      case 'split-return-race':
        if (reservation.quantity < 2) return;
        await Promise.all([
          command('SplitReservation', 'POST', `/v1/reservations/${id}/split`, { quantities: [1, reservation.quantity - 1] }),
          command('CancelReservation', 'POST', `/v1/reservations/${id}/cancel`),
        ]);
        break;
      case 'exchange-race': {
        // The same exchange twice at once, racing a return of part of it: one way or another, units and value are conserved.
        const exchange = { catalogItemId: EXCHANGE_FOR[reservation.armSkuName] ?? 'ri-standard_d8s_v5-westeurope-p1y', quantity: reservation.quantity };
        await Promise.all([
          command('ExchangeReservation', 'POST', `/v1/reservations/${id}/exchange`, exchange),
          command('ExchangeReservation', 'POST', `/v1/reservations/${id}/exchange`, exchange),
          ...(reservation.quantity > 1 ? [command('ReturnReservation', 'POST', `/v1/reservations/${id}/return`, { quantity: 1 })] : []),
        ]);
        break;
      }
      case 'partial-return-race':
        // Returns of part of it, twice the same and once another quantity, racing a cancellation of the whole.
        if (reservation.quantity < 2) return;
        await Promise.all([
          command('ReturnReservation', 'POST', `/v1/reservations/${id}/return`, { quantity: 1 }),
          command('ReturnReservation', 'POST', `/v1/reservations/${id}/return`, { quantity: 1 }),
          command('ReturnReservation', 'POST', `/v1/reservations/${id}/return`, { quantity: reservation.quantity - 1 }),
          command('CancelReservation', 'POST', `/v1/reservations/${id}/cancel`),
        ]);
        break;
    }
  }

  const startApiProcess = (port: number) => startTsProcess('apps/api/src/main.ts', { ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' });

  beforeAll(async () => {
    const [storePort, redisPort] = [await freePort(), await freePort()];
    redis = await startRedisServer(redisPort, redisDir);
    store = (await startStoreProcess(dataDir, storePort)).proc;
    storeUrl = `esdb://127.0.0.1:${storePort}?tls=false`;
    env = {
      EVENTSTORE_URL: storeUrl,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_KEY_PREFIX: PREFIX,
      LOG_LEVEL: 'warn',
      THROTTLE_LIMIT: '100000000',
      QUEUE_LOCK_MS: '3000',
      FULFILMENT_BACKOFF_MS: '100',
      PROVISIONING_LATENCY_MS: '30',
      PROVISIONING_TRANSIENT_FAILURE_RATE: '0.2',
      PROVISIONING_PERMANENT_FAILURE_RATE: '0.03',
      PROVISIONING_FAILING_SKUS: 'Standard_L32s_v3=permanent',
    };
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      apis.push({ proc: startApiProcess(port), port, url: `http://127.0.0.1:${port}` });
      workers.push(startTsProcess('apps/worker/src/main.ts', env));
    }
    for (const api of apis)
      await eventually(
        async () => (await fetch(`${api.url}/health/live`).catch(() => undefined))?.ok,
        120_000,
        () => api.proc.output(),
      );
  });

  afterAll(async () => {
    for (const proc of [...apis.map((a) => a.proc), ...workers]) await proc.kill('SIGTERM');
    await store?.kill('SIGTERM');
    await redis?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(redisDir, { recursive: true, force: true });
  });

  it(`holds every money invariant (${CLIENTS} clients × ${ROUNDS} rounds, an api and a worker killed mid-load)`, async () => {
    let finished = 0;
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c).finally(() => finished++)));
    const faults = (async () => {
      await eventually(async () => (outcomes.get('PurchaseOrder')?.size ?? 0) > 0 || undefined, 120_000);
      await sleep(2_000);
      process.stdout.write('[invariants] SIGKILL api 1 and worker 0\n');
      await apis[1].proc.kill('SIGKILL');
      await workers[0].kill('SIGKILL');
      await sleep(1_500);
      apis[1].proc = startApiProcess(apis[1].port);
      workers[0] = startTsProcess('apps/worker/src/main.ts', env);
    })();
    await Promise.all([load, faults]);

    // Every workflow settles in the background within seconds; then the whole store is checked.
    await sleep(10_000);
    const events = await readEverything(storeUrl);
    const violations = moneyViolations(events, new Date().toISOString());

    const report = [...outcomes.entries()].map(([name, counts]) => `${name}: ${[...counts.entries()].map(([outcome, n]) => `${outcome} ×${n}`).join(', ')}`);
    process.stdout.write(`[invariants] ${events.length} events; commands sent and their outcomes:\n  ${report.join('\n  ')}\n`);

    expect(violations).toEqual([]);
    expect(serverErrors).toEqual([]);

    // The views agree with the store: a full replay into fresh views finds no difference.
    expect(await replayVerify(env)).toMatchObject({
      code: 0,
      output: expect.stringMatching(/verified .*: [\d,]+ events read, 0 difference\(s\)/),
    });

    // The refund allowance shown on the views is the ledger's, for every customer who returned something.
    const ledgers = events.filter((e) => e.type === 'RefundRecorded');
    for (const customerId of new Set(ledgers.map((e) => e.data.customerId as string))) {
      const returned = events.find((e) => e.type === 'ReservationCancelled' && e.data.customerId === customerId);
      if (!returned) continue;
      const view = await read(`/v1/reservations/${returned.data.reservationId}`);
      const quote = await read(`/v1/reservations/${returned.data.reservationId}/refund-quote`);
      expect(view.body.refundAllowance.usedUsd).toBe(quote.body.allowance.usedUsd);
    }
    expect(finished).toBe(CLIENTS);
  });
});
