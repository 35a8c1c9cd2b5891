/**
 * npm run test:invariants — the money invariants under concurrency, crashes
 * and time. Real processes (api ×2, worker ×2, the embedded store, a Redis of
 * its own) on the sandbox clock; many clients send seeded random, concurrent
 * purchases, order cancels during fulfilment, scope changes, splits, merges,
 * returns, exchanges (of one reservation and of several), with duplicates and
 * retries under the same Idempotency-Key; reservations of one customer race
 * for the last of its refund allowance; the clock moves on, so monthly
 * payments and renewals run while commands race them; apis, workers and the
 * store are killed at seeded random points of the whole run. A checker then
 * reads $all and the views and asserts every invariant of
 * docs/reliability.md, and the run fails unless every path it should
 * exercise ran, and every acknowledged purchase reached a final state.
 * The seed is printed; INVARIANTS_SEED=<seed> sends the same commands at the
 * same moments again (the interleavings, being concurrent, differ).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { readEverything, replayVerify } from '../support/system-checks';
import { freePort, RunningProcess, startRedisServer, startStoreProcess, startTsProcess } from '../support/processes';
import { JobType, Queue } from 'bullmq';
import prand from 'pure-rand';
import { queuePrefix } from '@app/queues';
import { ALL_QUEUES, RESERVATION_LIFECYCLE_QUEUE, WEBHOOKS_QUEUE } from '../../libs/queues/src/queue-names';
import { moneyViolations } from './invariant-checker';

const CLIENTS = Number(process.env.INVARIANT_CLIENTS ?? 16);
const ROUNDS = Number(process.env.INVARIANT_ROUNDS ?? 6);
const SEED = Number(process.env.INVARIANTS_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** The sandbox clock starts before the exchange policy of 2027-02-01, and moves on by some days every few seconds. */
const CLOCK_START = '2026-06-01T08:00:00.000Z';
/** How often each path must have happened for the run to prove anything about it. */
const AT_LEAST: Record<string, number> = {
  split: 3,
  merge: 3,
  exchange: 3,
  'exchange of several': 1,
  'partial return': 3,
  'cap refusal': 1,
  'cancel during fulfilment': 3,
  'monthly payment': 10,
  renewal: 1,
  'clock move': 5,
  'api killed': 1,
  'worker killed': 1,
  'store restarted': 1,
};
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
const random = prand.xoroshiro128plus(SEED);
/** A seeded number in [0, 1): every choice the load makes comes from the seed. */
const chance = () => prand.unsafeUniformIntDistribution(0, 999_999, random) / 1_000_000;
const pick = <T>(items: T[]) => items[Math.floor(chance() * items.length)];

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
    const outcome =
      typeof answer === 'string' ? answer : `${answer.status}${answer.body?.code ? ` ${answer.body.code}` : ''}`;
    const counts = outcomes.get(command) ?? new Map<string, number>();
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    outcomes.set(command, counts);
    if (typeof answer !== 'string' && answer.status >= 500 && answer.status !== 503)
      serverErrors.push(`${command}: ${answer.status} ${JSON.stringify(answer.body)}`);
  };

  async function once(
    url: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        'x-api-key': 'demo-key-contoso',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /**
   * A command as an upstream service sends it: with a key, retried unchanged after no answer, 503, 429 or a key
   * still in use. A key held by an api killed mid-request stays in use for up to 30 s, so retries go on for longer.
   */
  async function command(
    name: string,
    method: string,
    path: string,
    body?: unknown,
    key = randomUUID(),
  ): Promise<Answer> {
    const deadline = Date.now() + RETRY_FOR_MS;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const api = apis[(attempt + Math.floor(chance() * 2)) % apis.length];
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
      await sleep(50 + chance() * 150);
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

  /** Orders whose purchase was acknowledged (201 or 200): each must end completed, partially fulfilled, failed or cancelled. */
  const acknowledged = new Set<string>();
  const ran = new Map<string, number>();
  const happened = (path: string) => ran.set(path, (ran.get(path) ?? 0) + 1);

  /** A cart of the given lines bought, perhaps twice at once with one key (a client retrying after a timeout); its order once final. */
  async function buy(
    customerId: string,
    subscriptionId: string,
    lines: Array<{ catalogItemId: string; quantity: number }>,
    billingPlan: string,
  ) {
    const cartId = (await command('CreateCart', 'POST', `/v1/customers/${customerId}/carts`)).body.cartId;
    for (const line of lines) {
      await command('AddToCart', 'POST', `/v1/carts/${cartId}/items`, {
        ...line,
        subscriptionId,
        term: line.catalogItemId.endsWith('p3y') ? 'P3Y' : 'P1Y',
        billingPlan,
      });
    }
    await command('SetScope', 'PUT', `/v1/carts/${cartId}/scope`, anyScope(subscriptionId));
    const key = randomUUID();
    const buys = await Promise.all(
      Array.from({ length: chance() < 0.3 ? 2 : 1 }, () =>
        command('PurchaseOrder', 'POST', `/v1/carts/${cartId}/purchase`, undefined, key),
      ),
    );
    const orderId = buys.find((b) => b.status < 300)?.body.orderId as string | undefined;
    if (orderId) acknowledged.add(orderId);
    return orderId;
  }

  /** One client: buy, sometimes cancel the order at once (racing its fulfilment), then manage what was bought. */
  async function client(c: number) {
    const customerId = (await command('RegisterCustomer', 'POST', '/v1/customers', { name: `Invariant Co ${c}` })).body
      .customerId;
    const subscriptionId = randomUUID();
    await command('AddSubscription', 'POST', `/v1/customers/${customerId}/subscriptions`, {
      subscriptionId,
      name: 'Main',
    });
    const held: Array<{ reservationId: string; quantity: number; armSkuName: string }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const lines = Array.from({ length: 1 + Math.floor(chance() * 2) }, () => ({
        catalogItemId: pick(ITEMS),
        quantity: 1 + Math.floor(chance() * 3),
      }));
      // Half the carts billed monthly, so payments are taken, carried over by splits and merges, and stopped by returns.
      const orderId = await buy(customerId, subscriptionId, lines, chance() < 0.5 ? 'Monthly' : 'Upfront');
      if (!orderId) continue;
      if (chance() < 0.3) {
        const cancelled = await command('CancelOrder', 'POST', `/v1/orders/${orderId}/cancel`, {
          reason: 'changed mind',
        });
        if (cancelled.status === 200 || cancelled.body?.code === 'ORDER_IN_FULFILMENT')
          happened('cancel during fulfilment');
      }
      const order = await finalOrder(orderId);
      if (!order) continue;
      const active = order.reservations.filter(
        (r: { provisioningState: string }) => r.provisioningState === 'Succeeded',
      );
      held.push(...active);
      for (const reservation of active) await manage(reservation, subscriptionId);
    }
    // Two reservations of two orders given back for one purchase.
    const [first, second] = held.filter((r) => r.armSkuName === 'Standard_D2s_v5').slice(-2);
    if (first && second) {
      const exchanged = await command('Exchange', 'POST', '/v1/exchanges', {
        customerId,
        returns: [{ reservationId: first.reservationId }, { reservationId: second.reservationId }],
        purchase: { catalogItemId: 'ri-standard_d8s_v5-eastus-p1y', quantity: 1 },
      });
      if (exchanged.status === 201) happened('exchange of several');
    }
  }

  /**
   * Two reservations of two orders given back for one purchase, from the
   * start of the run: the clients' own try comes late, when their
   * reservations may already be returned or bought under the 2027 policy.
   * The clock's year-long move waits for it, so the policy never decides it.
   */
  async function severalExchanger() {
    const customerId = (await command('RegisterCustomer', 'POST', '/v1/customers', { name: 'Several Exchanger' })).body
      .customerId;
    const subscriptionId = randomUUID();
    await command('AddSubscription', 'POST', `/v1/customers/${customerId}/subscriptions`, {
      subscriptionId,
      name: 'Main',
    });
    // A purchase may fail at provisioning (the load injects failures): a few tries get two reservations.
    for (let attempt = 0; attempt < 3 && !ran.get('exchange of several'); attempt++) {
      const orders = await Promise.all(
        [1, 2].map(() =>
          buy(customerId, subscriptionId, [{ catalogItemId: 'ri-standard_d2s_v5-eastus-p1y', quantity: 1 }], 'Upfront'),
        ),
      );
      const reservations = (
        await Promise.all(orders.map(async (orderId) => (orderId ? await finalOrder(orderId) : undefined)))
      )
        .flatMap((order) => order?.reservations ?? [])
        .filter((r: { provisioningState: string }) => r.provisioningState === 'Succeeded');
      if (reservations.length < 2) continue;
      const exchanged = await command('Exchange', 'POST', '/v1/exchanges', {
        customerId,
        returns: reservations.slice(0, 2).map((r: { reservationId: string }) => ({ reservationId: r.reservationId })),
        purchase: { catalogItemId: 'ri-standard_d8s_v5-eastus-p1y', quantity: 1 },
      });
      if (exchanged.status === 201) happened('exchange of several');
    }
  }

  /**
   * Reservations of one customer racing for the last of its refund allowance:
   * three of USD 38,751.44 each, all cancelled at once, with a return of
   * part of another racing them. The cap (USD 50,000 a rolling year) lets
   * one through.
   */
  async function capRacer() {
    const customerId = (await command('RegisterCustomer', 'POST', '/v1/customers', { name: 'Cap Racer' })).body
      .customerId;
    const subscriptionId = randomUUID();
    await command('AddSubscription', 'POST', `/v1/customers/${customerId}/subscriptions`, {
      subscriptionId,
      name: 'Main',
    });
    const dear = 'ri-standard_d64s_v5-japaneast-p3y';
    const orders = await Promise.all(
      [1, 2, 3].map(() => buy(customerId, subscriptionId, [{ catalogItemId: dear, quantity: 1 }], 'Upfront')),
    );
    const reservations = (
      await Promise.all(orders.map(async (orderId) => (orderId ? await finalOrder(orderId) : undefined)))
    )
      .flatMap((order) => order?.reservations ?? [])
      .filter((r: { provisioningState: string }) => r.provisioningState === 'Succeeded');
    const answers = await Promise.all(
      reservations.map((r: { reservationId: string }) =>
        command('CancelReservation', 'POST', `/v1/reservations/${r.reservationId}/cancel`),
      ),
    );
    if (answers.some((answer) => answer.body?.code === 'REFUND_CAP_EXCEEDED')) happened('cap refusal');
  }

  /** Shared, the subscription, or a resource group in it. */
  const anyScope = (subscriptionId: string) =>
    pick([
      { type: 'shared' },
      { type: 'single', subscriptionId },
      { type: 'resourceGroup', subscriptionId, resourceGroup: 'rg-invariants' },
    ]);

  const ACTIONS = [
    'scope',
    'split',
    'split-merge',
    'return',
    'return-race',
    'split-return-race',
    'partial-return-race',
    'exchange-race',
    'nothing',
  ];
  /** Actions that do something only to a reservation of two or more. */
  const NEEDS_TWO = new Set(['split', 'split-merge', 'split-return-race', 'partial-return-race']);
  /** Each action is dealt out three times before the rest are drawn at random, so no seed leaves a path unexercised by chance. */
  const dealt = [...ACTIONS, ...ACTIONS, ...ACTIONS];
  function nextAction(quantity: number): string {
    const i = dealt.findIndex((action) => quantity >= 2 || !NEEDS_TWO.has(action));
    return i >= 0 ? dealt.splice(i, 1)[0] : pick(ACTIONS);
  }

  async function manage(
    reservation: { reservationId: string; quantity: number; armSkuName: string },
    subscriptionId: string,
  ) {
    const id = reservation.reservationId;
    const action = nextAction(reservation.quantity);
    switch (action) {
      case 'scope':
        await command('ChangeScope', 'PUT', `/v1/reservations/${id}/scope`, anyScope(subscriptionId));
        break;
      case 'split':
      case 'split-merge': {
        if (reservation.quantity < 2) return;
        const split = await Promise.all(
          [1, 2].map(() =>
            command('SplitReservation', 'POST', `/v1/reservations/${id}/split`, {
              quantities: [1, reservation.quantity - 1],
            }),
          ),
        );
        const parts = split
          .find((s) => s.status === 201)
          ?.body.items.map((p: { reservationId: string }) => p.reservationId);
        if (parts) happened('split');
        if (action === 'split-merge' && parts) {
          const merged = await Promise.all(
            [1, 2, 3].map(() =>
              command('MergeReservations', 'POST', '/v1/reservations/merge', { reservationIds: parts }),
            ),
          );
          if (merged.some((m) => m.status === 201)) happened('merge');
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
          command('SplitReservation', 'POST', `/v1/reservations/${id}/split`, {
            quantities: [1, reservation.quantity - 1],
          }),
          command('CancelReservation', 'POST', `/v1/reservations/${id}/cancel`),
        ]);
        break;
      case 'exchange-race': {
        // The same exchange twice at once, racing a return of part of it: one way or another, units and value are conserved.
        const exchange = {
          catalogItemId: EXCHANGE_FOR[reservation.armSkuName] ?? 'ri-standard_d8s_v5-westeurope-p1y',
          quantity: reservation.quantity,
        };
        const answers = await Promise.all([
          command('ExchangeReservation', 'POST', `/v1/reservations/${id}/exchange`, exchange),
          command('ExchangeReservation', 'POST', `/v1/reservations/${id}/exchange`, exchange),
          ...(reservation.quantity > 1
            ? [command('ReturnReservation', 'POST', `/v1/reservations/${id}/return`, { quantity: 1 })]
            : []),
        ]);
        if (answers.slice(0, 2).some((answer) => answer.status === 201)) happened('exchange');
        if (answers[2]?.status === 200) happened('partial return');
        break;
      }
      case 'partial-return-race': {
        // Returns of part of it, twice the same and once another quantity, racing a cancellation of the whole.
        if (reservation.quantity < 2) return;
        const answers = await Promise.all([
          command('ReturnReservation', 'POST', `/v1/reservations/${id}/return`, { quantity: 1 }),
          command('ReturnReservation', 'POST', `/v1/reservations/${id}/return`, { quantity: 1 }),
          command('ReturnReservation', 'POST', `/v1/reservations/${id}/return`, { quantity: reservation.quantity - 1 }),
          command('CancelReservation', 'POST', `/v1/reservations/${id}/cancel`),
        ]);
        if (answers.slice(0, 3).some((answer) => answer.status === 200)) happened('partial return');
        break;
      }
    }
  }

  const startApiProcess = (port: number) =>
    startTsProcess('apps/api/src/main.ts', { ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' });
  let storePort: number;
  let redisPort: number;

  /**
   * Nothing more will happen on its own: every projection and reactor has
   * applied the end of $all, no queue holds a job, and $all did not grow
   * between two looks. What the checker reads is then the whole story.
   */
  async function settled(): Promise<void> {
    const ops = { authorization: `Basic ${Buffer.from('ops:ops').toString('base64')}` };
    let last = -1;
    await eventually(
      async () => {
        const followers = (await (await fetch(`${apis[0].url}/ops/projections`, { headers: ops })).json()) as Array<{
          eventsBehind: number;
        }>;
        let jobs = 0;
        for (const name of ALL_QUEUES) {
          const queue = new Queue(name, {
            connection: { host: '127.0.0.1', port: redisPort },
            prefix: queuePrefix(PREFIX),
          });
          // The daily pass's and the expiry notices' schedules always keep their next run delayed; other delayed jobs are retries still to come.
          const states: JobType[] = [
            'waiting',
            'active',
            'prioritized',
            'waiting-children',
            ...(name === RESERVATION_LIFECYCLE_QUEUE || name === WEBHOOKS_QUEUE ? [] : (['delayed'] as const)),
          ];
          const counts = await queue.getJobCounts(...states);
          await queue.close();
          jobs += Object.values(counts).reduce((sum, n) => sum + n, 0);
        }
        const events = (await readEverything(storeUrl)).length;
        const quiet = followers.every((f) => f.eventsBehind === 0) && jobs === 0 && events === last;
        last = events;
        if (!quiet) await sleep(500);
        return quiet || undefined;
      },
      120_000,
      () => `the system never settled (seed ${SEED})`,
    );
  }

  beforeAll(async () => {
    process.stdout.write(`[invariants] seed ${SEED} (INVARIANTS_SEED=${SEED} sends the same commands again)\n`);
    [storePort, redisPort] = [await freePort(), await freePort()];
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
      SANDBOX_CLOCK: 'true',
      SANDBOX_CLOCK_START: CLOCK_START,
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

  /** Purchases the load will make: the measure of how far through the run it is, whatever the machine's speed. */
  const PLANNED = CLIENTS * ROUNDS;
  /** Resolves once the run is `share` of the way through (by purchases acknowledged), or over. */
  const through = async (share: number, over: () => boolean) => {
    while (acknowledged.size < share * PLANNED && !over()) await sleep(100);
  };

  /**
   * The sandbox clock moved on by seeded steps at points spread over the run, so payments, locks and renewals race its
   * commands. The year-long move, past the 2027 exchange policy, waits for `beforeTheYear`.
   */
  async function moveTime(over: () => boolean, beforeTheYear: Promise<unknown>) {
    let now = Date.parse(CLOCK_START);
    const move = async (to: number) => {
      const moved = await command('MoveClock', 'PUT', '/v1/sandbox/clock', { now: new Date(to).toISOString() });
      if (moved.status === 200) happened('clock move');
    };
    for (let step = 1; step <= 10; step++) {
      await through((step - 1 + chance()) / 10, over);
      if (over()) break;
      if (step === 5) await beforeTheYear;
      // Halfway, a year at once: renewals race the commands too.
      now += Math.floor((step === 5 ? 330 : 2 + chance() * 8) * 86_400_000);
      await move(now);
    }
    // A last move past every P1Y bought, so each renews or expires.
    const end = Math.max(now, Date.parse(CLOCK_START) + 400 * 86_400_000);
    await move(end);
    return new Date(end).toISOString();
  }

  /** Kills at seeded points spread over the whole run: an api, a worker and the store, and one more of any. */
  async function faults(over: () => boolean) {
    const kinds = ['api', 'worker', 'store', pick(['api', 'worker', 'store'])];
    const points = kinds.map(() => 0.05 + chance() * 0.85).sort((a, b) => a - b);
    for (const [i, kind] of kinds.entries()) {
      await through(points[i], over);
      if (kind === 'api') {
        const n = Math.floor(chance() * apis.length);
        process.stdout.write(`[invariants] SIGKILL api ${n}\n`);
        await apis[n].proc.kill('SIGKILL');
        await sleep(500 + chance() * 1_000);
        apis[n].proc = startApiProcess(apis[n].port);
        happened('api killed');
      } else if (kind === 'worker') {
        const n = Math.floor(chance() * workers.length);
        process.stdout.write(`[invariants] SIGKILL worker ${n}\n`);
        await workers[n].kill('SIGKILL');
        await sleep(500 + chance() * 1_000);
        workers[n] = startTsProcess('apps/worker/src/main.ts', env);
        happened('worker killed');
      } else {
        process.stdout.write('[invariants] SIGKILL the event store, and start it again\n');
        await store.kill('SIGKILL');
        await sleep(500 + chance() * 1_000);
        store = (await startStoreProcess(dataDir, storePort)).proc;
        happened('store restarted');
      }
    }
  }

  it(`holds every money invariant (${CLIENTS} clients × ${ROUNDS} rounds, with time moving and apis, workers and the store killed over the run)`, async () => {
    let finished = 0;
    const done = () => finished === CLIENTS + 2;
    // The load waits for nothing but itself; the faults and the clock run beside it, at points of its progress.
    const several = severalExchanger();
    const load = Promise.all(
      [...Array.from({ length: CLIENTS }, (_, c) => client(c)), capRacer(), several].map((work) =>
        work.finally(() => finished++),
      ),
    );
    const [, clockAt] = await Promise.all([
      load,
      moveTime(
        done,
        several.catch(() => undefined),
      ),
      faults(done),
    ]);

    // Every acknowledged purchase ends, and every workflow settles, in the background.
    let open: string[] = [];
    let history: Awaited<ReturnType<typeof readEverything>> = [];
    const unfinished = await eventually(
      async () => {
        history = await readEverything(storeUrl);
        const ended = new Set(
          history
            .filter((e) =>
              ['OrderCompleted', 'OrderPartiallyFulfilled', 'OrderFailed', 'OrderCancelled'].includes(e.type),
            )
            .map((e) => e.data.orderId as string),
        );
        open = [...acknowledged].filter((orderId) => !ended.has(orderId));
        return open.length === 0 ? [] : undefined;
      },
      120_000,
      () =>
        `acknowledged purchases still not final (seed ${SEED}):\n${open
          .map(
            (orderId) =>
              `  ${orderId}: ${
                history
                  .filter((e) => e.streamId === `order-${orderId}`)
                  .map((e) => e.type)
                  .join(', ') || 'no OrderPlaced'
              }`,
          )
          .join('\n')}\n${workers.map((w) => w.output().slice(-3_000)).join('\n')}`,
    );
    expect(unfinished).toEqual([]);
    await settled();
    const events = await readEverything(storeUrl);
    const violations = moneyViolations(events, clockAt);

    ran.set(
      'monthly payment',
      events.filter((e) => e.type === 'ReservationPaymentRecorded' && (e.data.paymentNumber as number) > 1).length,
    );
    ran.set('renewal', events.filter((e) => e.type === 'ReservationRenewed').length);
    const report = [...outcomes.entries()].map(
      ([name, counts]) => `${name}: ${[...counts.entries()].map(([outcome, n]) => `${outcome} ×${n}`).join(', ')}`,
    );
    const paths = Object.keys(AT_LEAST).map((path) => `${path} ×${ran.get(path) ?? 0} (at least ${AT_LEAST[path]})`);
    process.stdout.write(
      `[invariants] seed ${SEED}; ${events.length} events; ${acknowledged.size} purchases acknowledged; clock at ${clockAt}\n  paths: ${paths.join(', ')}\n  commands sent and their outcomes:\n  ${report.join('\n  ')}\n`,
    );

    expect(violations).toEqual([]);
    expect(serverErrors).toEqual([]);
    // The run proves something of each path only if it ran.
    expect(Object.keys(AT_LEAST).filter((path) => (ran.get(path) ?? 0) < AT_LEAST[path])).toEqual([]);

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
  });
});
