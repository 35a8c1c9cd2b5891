/**
 * npm run test:faults — the whole system as real processes (api ×2, worker ×2,
 * the embedded store, a Redis of its own) under purchase load, while it kills
 * a worker, restarts the store and restarts Redis. Afterwards the store, the
 * views and the queues must agree that nothing was lost or done twice.
 */
import { randomUUID } from 'node:crypto';
import { queuePrefix } from '@app/queues';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import catalog from '../../libs/domain/src/catalog/reserved-vm-catalog.json';
import { ALL_QUEUES, RESERVATION_LIFECYCLE_QUEUE, WEBHOOKS_QUEUE } from '../../libs/queues/src/queue-names';
import { eventViolations } from '../../libs/event-catalog/testing/event-validation';
import { eventually } from '../support/eventually';
import { readEverything, replayVerify } from '../support/system-checks';
import { freePort, RunningProcess, startRedisServer, startStoreProcess, startTsProcess } from '../support/processes';
import { FaultClient, HttpAnswer } from './fault-client';

const PURCHASES = Number(process.env.FAULT_PURCHASES ?? 2_000);
const CLIENTS = Number(process.env.FAULT_CLIENTS ?? 50);
const PREFIX = 'faults:';
/** The events that end an order's fulfilment. */
const FINAL_EVENTS = ['OrderCompleted', 'OrderPartiallyFulfilled', 'OrderFailed'];
const ITEMS = catalog.filter((item) => item.term === 'P1Y').map((item) => item.id);

jest.setTimeout(15 * 60_000);

describe('faults under load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'faults-store-'));
  const redisDir = mkdtempSync(join(tmpdir(), 'faults-redis-'));
  let storeUrl: string;
  let storePort: number;
  let redisPort: number;
  let redis: RunningProcess;
  let store: RunningProcess;
  let env: Record<string, string>;
  const apis: Array<{ proc: RunningProcess; url: string }> = [];
  const workers: RunningProcess[] = [];
  const log = (line: string) => process.stdout.write(`[faults] ${line}\n`);
  const everyOutput = () =>
    [
      ['store', store],
      ['redis', redis],
      ...apis.map((a, i) => [`api${i}`, a.proc] as const),
      ...workers.map((w, i) => [`worker${i}`, w] as const),
    ]
      .map(([name, proc]) => `--- ${name as string}\n${(proc as RunningProcess).output().slice(-3_000)}`)
      .join('\n');

  /** What the operators would look at: the projections' status and the queues' counts. */
  const diagnostics = async () => {
    const ops = { authorization: `Basic ${Buffer.from('ops:ops').toString('base64')}` };
    const projections = await fetch(`${apis[0].url}/ops/projections`, { headers: ops }).then(
      (r) => r.text(),
      (e: Error) => e.message,
    );
    const queues: Record<string, unknown> = {};
    for (const name of ALL_QUEUES) {
      const queue = new Queue(name, {
        connection: { host: '127.0.0.1', port: redisPort },
        prefix: queuePrefix(PREFIX),
      });
      queues[name] = await queue.getJobCounts().catch((e: Error) => e.message);
      await queue.close();
    }
    const failed: string[] = [];
    for (const name of ALL_QUEUES) {
      const queue = new Queue(name, {
        connection: { host: '127.0.0.1', port: redisPort },
        prefix: queuePrefix(PREFIX),
      });
      for (const job of await queue.getFailed().catch(() => []))
        failed.push(
          `${name} ${job.id}: ${job.failedReason} after ${job.attemptsMade} attempts; ${JSON.stringify(job.stacktrace)}`,
        );
      await queue.close();
    }
    return `projections: ${projections}\nqueues: ${JSON.stringify(queues)}\nfailed jobs:\n${failed.join('\n')}`;
  };

  const startStore = async () => (store = (await startStoreProcess(dataDir, storePort)).proc);
  const startRedis = async () => (redis = await startRedisServer(redisPort, redisDir));

  beforeAll(async () => {
    [storePort, redisPort] = [await freePort(), await freePort()];
    await startRedis();
    await startStore();
    storeUrl = `esdb://127.0.0.1:${storePort}?tls=false`;
    env = {
      EVENTSTORE_URL: storeUrl,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_KEY_PREFIX: PREFIX,
      LOG_LEVEL: 'warn',
      THROTTLE_LIMIT: '100000000',
      // A killed worker's jobs come back after this; short, so the test does not wait long.
      QUEUE_LOCK_MS: '3000',
      FULFILMENT_BACKOFF_MS: '200',
      PROVISIONING_LATENCY_MS: '5',
      PROVISIONING_TRANSIENT_FAILURE_RATE: '0.05',
      PROVISIONING_PERMANENT_FAILURE_RATE: '0.02',
    };
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      apis.push({
        proc: startTsProcess('apps/api/src/main.ts', { ...env, HTTP_PORT: String(port) }),
        url: `http://127.0.0.1:${port}`,
      });
      workers.push(startTsProcess('apps/worker/src/main.ts', env));
    }
    for (const api of apis) {
      await eventually(async () => (await fetch(`${api.url}/health`).catch(() => undefined))?.ok, 120_000, everyOutput);
    }
  });

  afterAll(async () => {
    for (const proc of [...apis.map((a) => a.proc), ...workers]) await proc.kill('SIGTERM');
    await store?.kill('SIGTERM');
    await redis?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(redisDir, { recursive: true, force: true });
  });

  it('loses no cart update when two API processes hammer the same cart', async () => {
    const [a, b] = apis.map((api) => new FaultClient(api.url, 'demo-key-contoso'));
    const customer = await a.send('POST', '/v1/customers', { name: 'Hammer Co' }, `hammer-customer-${randomUUID()}`);
    const subscriptionId = randomUUID();
    await a.send(
      'POST',
      `/v1/customers/${customer.body.customerId}/subscriptions`,
      { subscriptionId, name: 'Main' },
      `hammer-sub-${subscriptionId}`,
    );
    const cartId = (
      await a.send(
        'POST',
        `/v1/customers/${customer.body.customerId}/carts`,
        undefined,
        `hammer-cart-${subscriptionId}`,
      )
    ).body.cartId as string;

    // 40 different items added at once, half through each process: every add must land, once.
    const revisions: number[] = [];
    const added = await Promise.all(
      ITEMS.slice(0, 40).map(async (catalogItemId, i) => {
        const answer = await (i % 2 ? b : a).send(
          'POST',
          `/v1/carts/${cartId}/items`,
          { catalogItemId, quantity: 1, subscriptionId, term: 'P1Y', billingPlan: 'Upfront' },
          `hammer-add-${cartId}-${i}`,
        );
        revisions.push(Number(answer.body.revision));
        return answer.body.lines.find((line: { catalogItemId: string }) => line.catalogItemId === catalogItemId)
          .lineId as string;
      }),
    );
    // Read once the view has every add, whichever process answered it.
    a.readAtLeast(b.seen);
    const cart = await a.read(`/v1/carts/${cartId}`);
    expect(cart.lines.map((line: { lineId: string }) => line.lineId).sort()).toEqual([...added].sort());

    // 10 quantity changes, all sent with If-Match of the same revision: one wins, the others get 409 and the current revision.
    // The revision after the last add: the highest any add answered with.
    const revision = `"${Math.max(...revisions)}"`;
    const answers = await Promise.all(
      added
        .slice(0, 10)
        .map((lineId, i) =>
          (i % 2 ? b : a).once(
            'PATCH',
            `/v1/carts/${cartId}/items/${lineId}`,
            { quantity: 5 },
            { 'if-match': revision, 'idempotency-key': `hammer-q-${lineId}` },
          ),
        ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(409)]);
    for (const refused of answers.filter((answer) => answer.status === 409)) {
      expect(refused.body).toMatchObject({
        code: 'STALE_REVISION',
        currentRevision: String(Number(revision.replace(/\D/g, '')) + 1),
      });
    }
    for (const answer of answers) {
      const position = answer.headers.get('x-position');
      if (position) b.readAtLeast(BigInt(position));
    }
    const after = await b.read(`/v1/carts/${cartId}`);
    const changed = after.lines.filter((line: { quantity: number }) => line.quantity === 5);
    expect(changed).toHaveLength(1);
    expect(after.lines).toHaveLength(40);
  });

  it(`keeps every acknowledged purchase exactly once through a worker kill, a store restart and a Redis restart (${PURCHASES} purchases, ${CLIENTS} clients)`, async () => {
    const clients = Array.from(
      { length: CLIENTS },
      (_, i) => new FaultClient(apis[i % apis.length].url, 'demo-key-contoso'),
    );
    // One customer with an active subscription per client.
    const customers = await Promise.all(
      clients.map(async (client, i) => {
        const customer = await client.send('POST', '/v1/customers', { name: `Fault Co ${i}` }, `customer-${i}`);
        const subscriptionId = randomUUID();
        await client.send(
          'POST',
          `/v1/customers/${customer.body.customerId}/subscriptions`,
          { subscriptionId, name: 'Main' },
          `subscription-${i}`,
        );
        return { customerId: customer.body.customerId as string, subscriptionId };
      }),
    );

    const acknowledged = new Map<string, { orderId: string; cartId: string; lines: number; customerId: string }>();
    let started = 0;
    let done = 0;
    const buy = async (client: FaultClient, c: number) => {
      const { customerId, subscriptionId } = customers[c];
      const n = started++;
      const cart = await client.send('POST', `/v1/customers/${customerId}/carts`, undefined, `cart-${n}`);
      const cartId = cart.body.cartId as string;
      const lines = 1 + (n % 2);
      for (let l = 0; l < lines; l++) {
        const catalogItemId = ITEMS[(n * 7 + l * 13) % ITEMS.length];
        await client.send(
          'POST',
          `/v1/carts/${cartId}/items`,
          { catalogItemId, quantity: 1 + (n % 3), subscriptionId, term: 'P1Y', billingPlan: 'Upfront' },
          `add-${n}-${l}`,
        );
      }
      await client.send(
        'PUT',
        `/v1/carts/${cartId}/scope`,
        n % 3 === 0 ? { type: 'shared' } : { type: 'single', subscriptionId },
        `scope-${n}`,
      );
      const order: HttpAnswer = await client.send('POST', `/v1/carts/${cartId}/purchase`, undefined, `buy-${n}`);
      acknowledged.set(cartId, { orderId: order.body.orderId, cartId, lines, customerId });
      done++;
    };

    // The faults, one after another, each when the load has reached its mark.
    const at = async (share: number) => eventually(() => done >= PURCHASES * share, 600_000);
    const faults = (async () => {
      await at(0.15);
      log(`${done} purchases done: SIGKILL worker 0`);
      await workers[0].kill('SIGKILL');
      await at(0.35);
      log(`${done} purchases done: restarting the event store`);
      await store.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await startStore();
      await at(0.6);
      log(`${done} purchases done: restarting Redis`);
      await redis.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await startRedis();
      log('faults done');
    })();

    const loadStarted = Date.now();
    await Promise.all(
      clients.map(async (client, c) => {
        while (started < PURCHASES) await buy(client, c);
      }),
    );
    await faults;
    const retries = clients.reduce((sum, client) => sum + client.retries, 0);
    const reasons = new Map<string, number>();
    for (const [reason, n] of clients.flatMap((client) => [...client.retryReasons]))
      reasons.set(reason, (reasons.get(reason) ?? 0) + n);
    log(
      `${acknowledged.size} purchases acknowledged in ${((Date.now() - loadStarted) / 1000).toFixed(0)} s; ${retries} requests retried: ${JSON.stringify(Object.fromEntries(reasons))}`,
    );
    expect(acknowledged.size).toBe(PURCHASES);
    expect(retries).toBeGreaterThan(0); // the faults were felt
    // An outage is a 503 (or no answer at all), never a 500.
    expect([...reasons.keys()].filter((reason) => reason.startsWith('500'))).toEqual([]);

    // Every order reaches a final status.
    const orderIds = new Set([...acknowledged.values()].map((a) => a.orderId));
    let unfinished: string[] = [];
    const events = await eventually(
      async () => {
        const all = await readEverything(storeUrl);
        const finished = new Set(all.filter((e) => FINAL_EVENTS.includes(e.type)).map((e) => e.data.orderId));
        unfinished = [...orderIds].filter((id) => !finished.has(id));
        return unfinished.length === 0 && all;
      },
      180_000,
      () => `${unfinished.length} orders unfinished, e.g. ${unfinished.slice(0, 3).join(', ')}\n${everyOutput()}`,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await diagnostics()}`);
    });

    // Every event written under load and faults, by every process, matches the event catalog (data and metadata).
    expect(eventViolations(events)).toEqual([]);

    const ids = events.map((e) => e.id);
    expect(ids.length - new Set(ids).size).toBe(0);

    const placed = events.filter((e) => e.type === 'OrderPlaced');
    const placedByCart = new Map<string, string[]>();
    for (const e of placed)
      placedByCart.set(e.data.cartId, [...(placedByCart.get(e.data.cartId) ?? []), e.data.orderId]);
    for (const { cartId, orderId } of acknowledged.values())
      expect({ cartId, orders: placedByCart.get(cartId) }).toEqual({ cartId, orders: [orderId] });
    expect(placed.length).toBe(PURCHASES);

    const finals = new Map<string, string[]>();
    for (const e of events.filter((e) => [...FINAL_EVENTS, 'OrderCancelled'].includes(e.type))) {
      finals.set(e.data.orderId, [...(finals.get(e.data.orderId) ?? []), e.type]);
    }
    const provisioned = new Map<string, number>();
    for (const e of events.filter((e) => e.type === 'ReservationProvisioned')) {
      const line = `${e.data.orderId}/${e.data.lineNumber}`;
      provisioned.set(line, (provisioned.get(line) ?? 0) + 1);
    }
    const outcomes = { completed: 0, partiallyFulfilled: 0, failed: 0 };
    for (const { orderId, lines } of acknowledged.values()) {
      const final = finals.get(orderId) ?? [];
      expect({ orderId, final: final.length }).toEqual({ orderId, final: 1 });
      const perLine = Array.from({ length: lines }, (_, i) => provisioned.get(`${orderId}/${i + 1}`) ?? 0);
      if (final[0] === 'OrderCompleted') {
        outcomes.completed++;
        expect({ orderId, perLine }).toEqual({ orderId, perLine: perLine.map(() => 1) });
      } else {
        // A line that failed for good keeps no reservation; the others keep exactly one.
        if (final[0] === 'OrderPartiallyFulfilled') outcomes.partiallyFulfilled++;
        else outcomes.failed++;
        expect(Math.max(...perLine)).toBeLessThanOrEqual(1);
        expect(perLine.some((n) => n === 1)).toBe(final[0] === 'OrderPartiallyFulfilled');
      }
    }
    log(
      `orders: ${outcomes.completed} completed, ${outcomes.partiallyFulfilled} partially fulfilled, ${outcomes.failed} failed; ${events.length} events, no duplicate ids`,
    );
    expect(outcomes.completed).toBeGreaterThan(0);

    // Order history holds each acknowledged order exactly once, with its final status, once the view has reached the store's head.
    for (const client of clients) client.readAtLeast(events.head!);
    const history = new Map<string, string[]>();
    for (const [c, { customerId }] of customers.entries()) {
      let cursor: string | undefined;
      do {
        const page = await clients[c].read(
          `/v1/customers/${customerId}/orders?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        for (const order of page.items)
          history.set(order.orderId, [...(history.get(order.orderId) ?? []), order.status]);
        cursor = page.nextCursor;
      } while (cursor);
    }
    for (const { orderId } of acknowledged.values()) {
      const expected = {
        OrderCompleted: 'completed',
        OrderPartiallyFulfilled: 'partiallyFulfilled',
        OrderFailed: 'failed',
      }[finals.get(orderId)![0]];
      expect({ orderId, statuses: history.get(orderId) }).toEqual({ orderId, statuses: [expected] });
    }
    expect(history.size).toBe(PURCHASES);

    // A rebuild from the store gives exactly the live views.
    expect(await replayVerify(env)).toMatchObject({
      code: 0,
      output: expect.stringMatching(/verified .*: [\d,]+ events read, 0 difference\(s\)/),
    });

    // No job is stuck active, waiting or parked; the only delayed jobs are the lifecycle's next daily run and the expiry notices' next pass.
    for (const name of ALL_QUEUES) {
      const queue = new Queue(name, {
        connection: { host: '127.0.0.1', port: redisPort },
        prefix: queuePrefix(PREFIX),
      });
      const scheduled = name === RESERVATION_LIFECYCLE_QUEUE || name === WEBHOOKS_QUEUE ? 1 : 0;
      try {
        const counts = await eventually(async () => {
          const c = await queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children');
          return c.active + c.waiting + c.prioritized + c['waiting-children'] === 0 && c.delayed === scheduled && c;
        }, 60_000);
        expect(counts).toEqual({ active: 0, waiting: 0, delayed: scheduled, prioritized: 0, 'waiting-children': 0 });
        if (name.startsWith('fulfilment'))
          log(`queue ${name}: ${JSON.stringify(await queue.getJobCounts('completed', 'failed'))}`);
      } finally {
        await queue.close();
      }
    }
  });
});
