/**
 * Whole lives, for real: generated customers buy, renew, return, exchange,
 * split and merge over four sandbox years on a real api (in-process, with the
 * harness) and a real worker process, the clock moved only by
 * PUT /v1/sandbox/clock. Every month's statement, every reservation, its
 * coverage and its payments are then compared, to the cent, with the
 * independent model of docs/money.md (reference-model.ts), and checked
 * against the rules that need no model (no renewal with auto-renew off, no
 * gap between renewals, the cap, refunds within what was paid, statements
 * equal to the money events in $all).
 *
 * npm run test:lifetimes. LIFETIMES_RUNS: random lives beside the one that
 * goes through every rule (default 6); LIFETIMES_SEED (and LIFETIMES_PATH,
 * from a failure's report) replay a run; LIFETIMES_SHRINK_MS bounds the
 * shrinking of a failure (each attempt is a whole run); LIFETIMES_WORLD
 * runs the world a failure wrote to a file, as it is.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { EventStoreDBClient } from '@eventstore/db-client';
import type { ApiHarness, HttpAnswer } from '../support/api-harness';
import { RunningProcess, startTsProcess } from '../support/processes';
import { REQUIRED_PATHS, worldArbitrary } from './lives';
import {
  addMonths,
  catalogItem,
  DAY,
  flatten,
  iso,
  Line,
  LifeResult,
  Market,
  monthCloses,
  ModelReservation,
  ModelRun,
  Path,
  runModel,
  Segment,
  Step,
  toCents,
  World,
} from './reference-model';

const RANDOM_LIVES = Number(process.env.LIFETIMES_RUNS ?? 6);
const SEED = process.env.LIFETIMES_SEED ? Number(process.env.LIFETIMES_SEED) : Math.floor(Math.random() * 2 ** 31);
const PATH = process.env.LIFETIMES_PATH;
const WORLD = process.env.LIFETIMES_WORLD;
/**
 * By default a failure shrinks while the whole run stays within three minutes (no attempt starts that would end past
 * two and a half, leaving the rest for Jest and the processes); LIFETIMES_SHRINK_MS gives it that long after the first failure.
 */
const SHRINK_MS = process.env.LIFETIMES_SHRINK_MS === undefined ? undefined : Number(process.env.LIFETIMES_SHRINK_MS);
const BUDGET_MS = 150_000;
/** How many mismatches a failure lists. */
const SHOWN = 60;

jest.setTimeout((SHRINK_MS ?? BUDGET_MS) + 15 * 60_000);

/** A failure's message: the disagreements, as many as are shown. */
const failure = (mismatches: string[]) =>
  `${mismatches.length} disagreement(s) between the system and the model:\n  ${mismatches.slice(0, SHOWN).join('\n  ')}` +
  (mismatches.length > SHOWN ? `\n  … and ${mismatches.length - SHOWN} more` : '');

/** Worlds in which the system once disagreed with the model: each is run again every time, so a fix stays fixed. */
const REGRESSIONS = join(__dirname, 'worlds');

describe('whole lives against the reference model', () => {
  const replay = async (file: string) => {
    const world = JSON.parse(readFileSync(file, 'utf8')) as World;
    const mismatches = await live(world, runModel(world));
    if (mismatches.length) throw new Error(failure(mismatches));
  };

  (WORLD ? it : it.skip)('replays the world in LIFETIMES_WORLD', () => replay(WORLD!));

  for (const file of WORLD ? [] : readdirSync(REGRESSIONS).filter((name) => name.endsWith('.json'))) {
    it(`agrees with the model where it once did not: ${file.replace(/\.json$/, '')}`, () =>
      replay(join(REGRESSIONS, file)));
  }

  (WORLD ? it.skip : it)(
    'charges, credits and covers every generated life as docs/money.md says, month by month, to the cent',
    async () => {
      console.log(
        `lifetimes: seed ${SEED}${PATH ? `, path ${PATH}` : ''}, ${RANDOM_LIVES} random lives (replay: LIFETIMES_SEED=${SEED} npm run test:lifetimes)`,
      );
      const ran = new Set<Path>();
      const started = Date.now();
      let failedAt: number | undefined;
      let lastRun = 0;
      await fc.assert(
        fc.asyncProperty(worldArbitrary(RANDOM_LIVES), async (world) => {
          // Each shrinking attempt runs four years again: past the budget, the smallest failure found so far is the one reported.
          if (
            failedAt !== undefined &&
            (SHRINK_MS === undefined ? Date.now() - started + lastRun > BUDGET_MS : Date.now() - failedAt > SHRINK_MS)
          )
            return;
          const model = runModel(world);
          const runStarted = Date.now();
          const mismatches = await live(world, model);
          lastRun = Date.now() - runStarted;
          for (const path of model.paths) ran.add(path);
          if (mismatches.length) {
            failedAt ??= Date.now();
            throw new Error(failure(mismatches));
          }
        }),
        {
          seed: SEED,
          path: PATH,
          numRuns: 1,
          // LIFETIMES_SHRINK_MS=0: report the first failure as it is.
          endOnFailure: SHRINK_MS === 0,
          reporter: (details) => {
            if (!details.failed) return;
            console.log(
              `lifetimes failed: seed ${details.seed}, path ${details.counterexamplePath}, shrunk ${details.numShrinks} time(s)`,
            );
            const file = join(tmpdir(), `lifetimes-counterexample-${details.seed}.json`);
            writeFileSync(file, JSON.stringify(details.counterexample?.[0], null, 1));
            console.log(
              `counterexample (the world, also in ${file}): ${JSON.stringify(details.counterexample?.[0], null, 1)}`,
            );
            throw new Error(
              `lifetimes (seed ${details.seed}): ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}\n` +
                `replay: LIFETIMES_SEED=${details.seed} LIFETIMES_PATH=${details.counterexamplePath} npm run test:lifetimes, or LIFETIMES_WORLD=${file} npm run test:lifetimes`,
            );
          },
        },
      );
      console.log(
        `lifetimes: passed in ${((Date.now() - started) / 1000).toFixed(1)} s; rules gone through: ${[...ran].sort().join(', ')}`,
      );
      expect(REQUIRED_PATHS.filter((path) => !ran.has(path))).toEqual([]);
    },
  );
});

// ---------------------------------------------------------------- one world, for real

interface System {
  api: ApiHarness;
  store: EventStoreDBClient;
  worker: RunningProcess;
  stop(): Promise<void>;
}

/** An api and a worker on the world's sandbox start and catalog changes; each world gets fresh modules, so its own configuration. */
async function startSystem(world: World): Promise<System> {
  const dir = mkdtempSync(join(tmpdir(), 'lifetimes-'));
  const changes = join(dir, 'catalog-changes.json');
  writeFileSync(changes, JSON.stringify(world.catalogChanges, null, 1));
  const env = { SANDBOX_CLOCK: 'true', SANDBOX_CLOCK_START: world.start, CATALOG_CHANGES_FILE: changes };
  let started: { api: ApiHarness; store: EventStoreDBClient; connectionString: string; prefix: string } | undefined;
  await jest.isolateModulesAsync(async () => {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded in this world's own module registry */
    const { startApi } = require('../support/api-harness') as typeof import('../support/api-harness');
    const { EventStoreDBClient } = require('@eventstore/db-client') as typeof import('@eventstore/db-client');
    const { EventStoreConnection } =
      require('@app/eventstore-client') as typeof import('../../libs/eventstore-client/src');
    const { Redis } = require('ioredis') as typeof import('ioredis');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const api = await startApi(env);
    started = {
      api,
      store: api.app.get(EventStoreDBClient),
      connectionString: api.app.get(EventStoreConnection).connectionString,
      prefix: api.app.get(Redis).options.keyPrefix!,
    };
  });
  const { api, store, connectionString, prefix } = started!;
  const worker = startTsProcess('apps/worker/src/main.ts', {
    ...env,
    EVENTSTORE_URL: connectionString,
    REDIS_KEY_PREFIX: prefix,
    RUN_PROJECTIONS: 'false',
    LOG_LEVEL: 'warn',
    PROVISIONING_LATENCY_MS: '0',
  });
  return {
    api,
    store,
    worker,
    async stop() {
      await worker.kill('SIGTERM');
      try {
        await api.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The ids the system gave to what the model calls R1, R2 … per life. */
class Ids {
  private readonly toSystem = new Map<string, string>();
  private readonly toModel = new Map<string, string>();
  set(life: string, model: string, system: string) {
    this.toSystem.set(`${life}/${model}`, system);
    this.toModel.set(system, model);
  }
  system(life: string, model: string) {
    return this.toSystem.get(`${life}/${model}`);
  }
  model(system: string) {
    return this.toModel.get(system);
  }
}

interface Customer {
  id: string;
  subscriptions: string[];
}

async function live(world: World, model: ModelRun): Promise<string[]> {
  const began = Date.now();
  const system = await startSystem(world);
  const mismatches: string[] = [];
  const seconds = (from: number) => `${((Date.now() - from) / 1000).toFixed(1)} s`;
  try {
    const customers = await register(system.api, model);
    const ids = new Ids();
    const closed = new ClosedMonths();
    let clock = Date.parse(world.start);
    const started = Date.now();
    for (const moment of model.moments) {
      if (moment.at > clock) {
        // Answered once the passes and what they set off have settled; its X-Position is what the harness sends as X-Min-Position on every read after.
        const moved = await system.api.call('PUT', '/v1/sandbox/clock', { body: { now: iso(moment.at) } });
        if (moved.status !== 200)
          throw new Error(
            `moving the clock to ${iso(moment.at)}: ${moved.status} ${JSON.stringify(moved.body)}\n${system.worker.output()}`,
          );
        clock = moment.at;
      }
      await findRenewals(system.api, moment.passEvents, ids, mismatches);
      await closed.read(system.api, model, customers, clock);
      for (const step of moment.steps) {
        try {
          await perform(
            system.api,
            step,
            customers.get(step.life)!,
            model.lives.find((life) => life.key === step.life)!,
            ids,
            mismatches,
          );
        } catch (error) {
          mismatches.push(`${where(step)} ${step.type}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    const steps = model.moments.reduce((n, m) => n + m.steps.length, 0);
    const compared = Date.now();
    const money = await moneyEvents(system.store);
    const signs: string[] = [];
    for (const life of model.lives) {
      const customer = customers.get(life.key)!;
      await compareStatements(system.api, life, customer, ids, money, closed, mismatches, signs);
      await compareReservations(system.api, life, customer, ids, mismatches);
    }
    if (signs.length)
      mismatches.push(
        `${signs.length} credit line(s) list unitPriceUsd with the opposite sign (docs/money.md: the amount ÷ the quantity; a credit's amount is negative), e.g. ${signs[0]}`,
      );
    checkSystemRules(model, money, mismatches);
    await checkRenewals(system.api, model, money, mismatches);
    console.log(
      `lifetimes: ${model.lives.length} lives, ${model.moments.length} moves and ${steps} steps: started in ${((started - began) / 1000).toFixed(1)} s, ` +
        `driven in ${((compared - started) / 1000).toFixed(1)} s, compared in ${seconds(compared)}`,
    );
  } finally {
    await system.stop();
  }
  return mismatches;
}

async function register(api: ApiHarness, model: ModelRun): Promise<Map<string, Customer>> {
  const customers = new Map<string, Customer>();
  for (const life of model.lives) {
    const created = await api.call('POST', '/v1/customers', { body: { name: `Lifetimes ${life.key}` } });
    if (created.status !== 201)
      throw new Error(`registering ${life.key}: ${created.status} ${JSON.stringify(created.body)}`);
    const subscriptions: string[] = [];
    for (let i = 0; i < life.subscriptions; i++) {
      const subscriptionId = randomUUID();
      await api.call('POST', `/v1/customers/${created.body.customerId}/subscriptions`, {
        body: { subscriptionId, name: `Subscription ${i + 1}` },
      });
      subscriptions.push(subscriptionId);
    }
    customers.set(life.key, { id: created.body.customerId, subscriptions });
  }
  return customers;
}

const where = (step: { at: number; life: string }) => `[${step.life} ${iso(step.at)}]`;
const usd = (cents: number) => (cents / 100).toFixed(2);
const cents = (value: unknown) => (typeof value === 'number' ? toCents(value) : NaN);

/** A renewal the model made in a pass: the old reservation names its renewal order, whose reservation is the model's new one. */
async function findRenewals(
  api: ApiHarness,
  events: ModelRun['moments'][number]['passEvents'],
  ids: Ids,
  mismatches: string[],
) {
  for (const event of events) {
    if (event.type !== 'renewed') continue;
    const old = ids.system(event.life, event.from);
    if (!old) continue;
    const view = (await api.call('GET', `/v1/reservations/${old}`)).body;
    const orderId = view?.renewal?.orderId;
    if (!orderId) {
      mismatches.push(
        `${where(event)} renewal: the model renews ${event.from} into ${event.to}; the system did not (state ${view?.provisioningState}, autoRenew ${view?.autoRenew}, renewalFailure ${JSON.stringify(view?.renewalFailure)})`,
      );
      continue;
    }
    const order = await completed(api, orderId);
    const renewed = order?.reservationIds?.[0] ?? order?.lines?.[0]?.provisioning?.reservationId;
    if (renewed) ids.set(event.life, event.to, renewed);
    else
      mismatches.push(
        `${where(event)} renewal order ${orderId} of ${event.from} was not fulfilled: ${JSON.stringify(order)}`,
      );
  }
}

async function completed(api: ApiHarness, orderId: string): Promise<any> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await api.call('GET', `/v1/orders/${orderId}`);
    if (answer.status === 200 && answer.body.status !== 'pending') return answer.body;
    if (Date.now() > deadline) return answer.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends one step of the model's timeline and compares the answer (status, refusal code, quoted figures) with what the model expects. */
async function perform(
  api: ApiHarness,
  step: Step,
  customer: Customer,
  life: LifeResult,
  ids: Ids,
  mismatches: string[],
) {
  const say = (text: string) => mismatches.push(`${where(step)} ${step.type}: ${text}`);
  const id = (model: string) => {
    const found = ids.system(step.life, model);
    if (!found) throw new Error(`${model} is not in the system (an earlier disagreement), so this step was not sent`);
    return found;
  };
  const expectOutcome = (answer: HttpAnswer, okStatus: number) => {
    const expected = 'refused' in step.expect ? `422 ${step.expect.refused}` : String(okStatus);
    const got = answer.status === okStatus ? String(okStatus) : `${answer.status} ${answer.body?.code ?? ''}`.trim();
    if (got !== expected)
      say(`expected ${expected}, the system answered ${got}: ${JSON.stringify(answer.body).slice(0, 400)}`);
    return answer.status === okStatus && !('refused' in step.expect);
  };
  const key = { 'idempotency-key': randomUUID() };

  switch (step.type) {
    case 'purchase': {
      const cart = await api.call('POST', `/v1/customers/${customer.id}/carts`);
      for (const line of step.lines) {
        const added = await api.call('POST', `/v1/carts/${cart.body.cartId}/items`, {
          body: {
            catalogItemId: line.catalogItemId,
            quantity: line.quantity,
            subscriptionId: customer.subscriptions[line.subscription],
            term: catalogItem(line.catalogItemId).term,
            billingPlan: line.billingPlan,
            autoRenew: line.autoRenew,
          },
        });
        if (added.status !== 201 && added.status !== 200)
          return say(`adding ${line.catalogItemId}: ${added.status} ${JSON.stringify(added.body)}`);
      }
      await api.call('PUT', `/v1/carts/${cart.body.cartId}/scope`, { body: { type: 'shared' } });
      const bought = await api.call('POST', `/v1/carts/${cart.body.cartId}/purchase`, { headers: key });
      if (bought.status !== 201) return say(`${bought.status} ${JSON.stringify(bought.body)}`);
      const order = await completed(api, bought.body.orderId);
      for (const [index, line] of step.lines.entries()) {
        const orderLine = order.lines?.find((candidate: { lineNumber: number }) => candidate.lineNumber === index + 1);
        const reservationId = orderLine?.provisioning?.reservationId;
        if (!reservationId) {
          say(`line ${index + 1} (${line.catalogItemId}) was not provisioned: ${JSON.stringify(orderLine)}`);
          continue;
        }
        ids.set(step.life, line.reservation, reservationId);
        const unitCents = life.reservations.get(line.reservation)!.unitCents;
        if (cents(orderLine.unitPriceUsd) !== unitCents)
          say(
            `line ${index + 1} (${line.catalogItemId}) priced ${orderLine.unitPriceUsd}; the model: ${usd(unitCents)}`,
          );
      }
      return;
    }
    case 'autoRenew': {
      const answer = await api.call('PUT', `/v1/reservations/${id(step.reservation)}/auto-renew`, {
        body: { autoRenew: step.autoRenew },
      });
      expectOutcome(answer, 200);
      return;
    }
    case 'renewalSettings': {
      const answer = await api.call('PUT', `/v1/reservations/${id(step.reservation)}/renewal`, {
        body: { quantity: step.quantity, term: step.term, billingPlan: step.billingPlan },
      });
      expectOutcome(answer, 200);
      return;
    }
    case 'return':
    case 'cancel': {
      const reservationId = id(step.reservation);
      const quote = await api.call('GET', `/v1/reservations/${reservationId}/refund-quote?quantity=${step.quantity}`);
      if (quote.status === 200) {
        if (cents(quote.body.refundUsd) !== step.refundCents)
          say(`quoted refund ${quote.body.refundUsd}; the model: ${usd(step.refundCents)}`);
        if (cents(quote.body.countedTowardCapUsd ?? quote.body.refundUsd) !== step.countedCents)
          say(`quoted ${quote.body.countedTowardCapUsd} toward the cap; the model: ${usd(step.countedCents)}`);
      } else say(`refund quote: ${quote.status} ${JSON.stringify(quote.body)}`);
      const answer =
        step.type === 'cancel'
          ? await api.call('POST', `/v1/reservations/${reservationId}/cancel`, { headers: key })
          : await api.call('POST', `/v1/reservations/${reservationId}/return`, {
              body: { quantity: step.quantity },
              headers: key,
            });
      expectOutcome(answer, 200);
      return;
    }
    case 'split': {
      const answer = await api.call('POST', `/v1/reservations/${id(step.reservation)}/split`, {
        body: { quantities: step.quantities },
      });
      if (expectOutcome(answer, 201))
        step.creates.forEach((created, index) => ids.set(step.life, created, answer.body.items[index].reservationId));
      return;
    }
    case 'merge': {
      const answer = await api.call('POST', '/v1/reservations/merge', {
        body: { reservationIds: step.reservations.map(id) },
      });
      if (expectOutcome(answer, 201)) ids.set(step.life, step.creates, answer.body.reservationId);
      return;
    }
    case 'exchange': {
      const body = {
        customerId: customer.id,
        returns: step.returns.map((returned) => ({
          reservationId: id(returned.reservation),
          quantity: returned.quantity,
        })),
        purchase: {
          catalogItemId: step.purchase.catalogItemId,
          quantity: step.purchase.quantity,
          billingPlan: step.purchase.billingPlan,
        },
      };
      const returned = body.returns.map((entry) => entry.reservationId);
      const quote = await api.call('POST', '/v1/exchanges/quote', { body });
      if (expectOutcome(quote, 200)) compareExchangeFigures(quote.body, step, returned, say, 'quote');
      const answer = await api.call('POST', '/v1/exchanges', { body, headers: key });
      if (expectOutcome(answer, 201)) {
        compareExchangeFigures(answer.body, step, returned, say, 'exchange');
        const created = newReservationOf(answer.body);
        if (created && step.creates) ids.set(step.life, step.creates, created);
        else say(`no new reservation in the answer: ${JSON.stringify(answer.body).slice(0, 300)}`);
      }
      return;
    }
  }
}

/** The reservation an exchange bought, wherever its answer puts it. */
const newReservationOf = (body: any): string | undefined =>
  body?.reservation?.reservationId ?? body?.purchase?.reservationId ?? body?.newReservationId ?? body?.reservationId;

/** An exchange's money, quoted or made, to the cent: per reservation returned, and in total. */
function compareExchangeFigures(
  body: any,
  step: Extract<Step, { type: 'exchange' }>,
  returned: string[],
  say: (text: string) => void,
  what: string,
) {
  const figure = (label: string, system: unknown, modelCents: number) => {
    if (cents(system) !== modelCents) say(`${what}: ${label} ${String(system)}; the model: ${usd(modelCents)}`);
  };
  const returns: any[] = body?.returns ?? body?.returned ?? [];
  step.returns.forEach((expected, index) => {
    const found = returns.find((candidate) => candidate.reservationId === returned[index]);
    figure(`refund of ${expected.reservation}`, found?.refundUsd, expected.refundCents);
    figure(`commitment given back by ${expected.reservation}`, found?.remainingCommitmentUsd, expected.remainingCents);
  });
  const { unitCents, quantity, billingPlan, catalogItemId } = step.purchase;
  const months = catalogItem(catalogItemId).term === 'P1Y' ? 12 : 36;
  figure(
    'refunds',
    body?.refundUsd,
    step.returns.reduce((sum, returned) => sum + returned.refundCents, 0),
  );
  figure(
    'commitment given back',
    body?.remainingCommitmentUsd,
    step.returns.reduce((sum, returned) => sum + returned.remainingCents, 0),
  );
  figure('new commitment', body?.newCommitmentUsd, unitCents * quantity);
  figure(
    'charged now',
    body?.chargedNowUsd,
    billingPlan === 'Upfront' ? unitCents * quantity : Math.floor(unitCents / months) * quantity,
  );
  figure('amount due', body?.amountDueUsd, step.amountDueCents);
}

// ---------------------------------------------------------------- what the store says about money

interface MoneyEvent {
  type: string;
  customerId?: string;
  reservationId: string;
  amountCents: number;
  data: any;
}

interface Money {
  /** Charges positive, refunds negative, per customer. */
  events: MoneyEvent[];
  provisioned: Map<string, any>;
  refundsRecorded: any[];
  reversed: Set<string>;
}

async function moneyEvents(store: EventStoreDBClient): Promise<Money> {
  const money: Money = { events: [], provisioned: new Map(), refundsRecorded: [], reversed: new Set() };
  const customerOf = new Map<string, string>();
  for await (const { event } of store.readAll()) {
    if (!event) continue;
    const data = event.data as any;
    switch (event.type) {
      case 'ReservationProvisioned':
        money.provisioned.set(data.reservationId, data);
        customerOf.set(data.reservationId, data.customerId);
        break;
      case 'ReservationPaymentRecorded':
        money.events.push({
          type: event.type,
          customerId: data.customerId,
          reservationId: data.reservationId,
          amountCents: cents(data.amountUsd),
          data,
        });
        break;
      case 'ReservationCancelled':
      case 'ReservationQuantityReturned':
      case 'ReservationExchanged':
        money.events.push({
          type: event.type,
          customerId: data.customerId ?? customerOf.get(data.reservationId),
          reservationId: data.reservationId,
          amountCents: -cents(data.refundUsd ?? 0),
          data,
        });
        break;
      case 'RefundRecorded':
        money.refundsRecorded.push(data);
        break;
      case 'RefundReversed':
        money.reversed.add(data.cancellationId);
        break;
    }
  }
  return money;
}

// ---------------------------------------------------------------- statements

/** Each month's statement as first read once it closed: closed months never change. */
class ClosedMonths {
  private readonly first = new Map<string, string>();
  private missing = false;

  async read(api: ApiHarness, model: ModelRun, customers: Map<string, Customer>, clock: number) {
    if (this.missing) return;
    for (const life of model.lives)
      for (const { month } of life.statements) {
        const key = `${customers.get(life.key)!.id}/${month}`;
        if (monthCloses(month) > clock || this.first.has(key)) continue;
        const answer = await api.call('GET', `/v1/customers/${key.replace('/', '/statements/')}`);
        if (answer.status === 404 && /^Cannot GET/.test(answer.body?.message ?? '')) return void (this.missing = true);
        this.first.set(key, ClosedMonths.contents(answer.body));
      }
  }

  /** What changed in a closed month since it was first read, if anything. */
  changed(customerId: string, month: string, body: unknown): string | undefined {
    const first = this.first.get(`${customerId}/${month}`);
    const now = ClosedMonths.contents(body);
    return first === undefined || first === now ? undefined : `first read once closed as ${first}; now ${now}`;
  }

  private static contents(body: any) {
    const lines = [...(body?.lines ?? [])].map((line) => JSON.stringify(line)).sort();
    return JSON.stringify({ closed: body?.closed, lines, totals: body?.totals });
  }
}

async function compareStatements(
  api: ApiHarness,
  life: LifeResult,
  customer: Customer,
  ids: Ids,
  money: Money,
  closedMonths: ClosedMonths,
  mismatches: string[],
  signs: string[],
) {
  const subscriptionIndex = (id: string) => customer.subscriptions.indexOf(id);
  const show = (line: {
    kind: string;
    date: string;
    reservation: string;
    quantity: number;
    unitCents: number;
    amountCents: number;
    late: boolean;
    subscription: number;
  }) =>
    `${line.kind} ${line.date} ${line.reservation} ×${line.quantity} @${usd(line.unitCents)} = ${usd(line.amountCents)}${line.late ? ' late' : ''} sub${line.subscription}`;
  const ofModel = (line: Line) => ({ ...line, date: iso(line.date) });
  let systemNet = 0;
  for (const statement of life.statements) {
    const answer = await api.call('GET', `/v1/customers/${customer.id}/statements/${statement.month}`);
    const at = `[${life.key} ${statement.month}] statement`;
    if (answer.status !== 200) {
      mismatches.push(`${at}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
      if (answer.status === 404 && /^Cannot GET/.test(answer.body?.message ?? '')) return; // no such route yet
      continue;
    }
    const body = answer.body;
    const changed = closedMonths.changed(customer.id, statement.month, body);
    if (changed) mismatches.push(`${at}: a closed month changed: ${changed.slice(0, 600)}`);
    if (body.closed !== statement.closed)
      mismatches.push(`${at}: closed ${body.closed}; the model: ${statement.closed}`);
    const lines = (body.lines ?? []).map((line: any) => ({
      kind: line.kind,
      date: new Date(line.date).toISOString(),
      reservation: ids.model(line.reservationId) ?? `?${line.reservationId}`,
      quantity: line.quantity,
      unitCents: cents(line.unitPriceUsd),
      amountCents: cents(line.amountUsd),
      late: line.late === true,
      subscription: subscriptionIndex(line.subscriptionId),
    }));
    const expected = statement.lines.map(ofModel);
    const keyOf = (line: Parameters<typeof show>[0]) => show(line);
    const unmatched = [...lines];
    for (const line of expected) {
      const found = unmatched.findIndex((candidate) => keyOf(candidate) === keyOf(line));
      if (found >= 0) unmatched.splice(found, 1);
      else {
        const near = unmatched.find(
          (candidate) =>
            candidate.kind === line.kind && candidate.reservation === line.reservation && candidate.date === line.date,
        );
        if (near) unmatched.splice(unmatched.indexOf(near), 1);
        // One disagreement seen on every credit is told once, with its count, so it hides no other.
        if (near && near.unitCents === -line.unitCents && keyOf({ ...near, unitCents: line.unitCents }) === keyOf(line))
          signs.push(`${at}: the model has ${show(line)}; the system has ${show(near)}`);
        else
          mismatches.push(
            `${at}: the model has ${show(line)}; ${near ? `the system has ${show(near)}` : 'the system has no such line'}`,
          );
      }
    }
    for (const line of unmatched) mismatches.push(`${at}: the system has ${show(line)}, which the model does not`);
    const totals = body.totals ?? {};
    const compare = (what: string, system: unknown, modelCents: number, absolute = false) => {
      const got = cents(system);
      if ((absolute ? Math.abs(got) : got) !== (absolute ? Math.abs(modelCents) : modelCents))
        mismatches.push(
          `${at}: ${what} ${String(system)}; the model: ${usd(absolute ? Math.abs(modelCents) : modelCents)}`,
        );
    };
    compare('charges', totals.chargesUsd, statement.totals.chargesCents);
    compare('credits', totals.creditsUsd, statement.totals.creditsCents, true);
    compare('net', totals.netUsd, statement.totals.netCents);
    for (const [index, modelTotals] of Object.entries(statement.totals.subscriptions)) {
      const own = (totals.subscriptions ?? []).find(
        (entry: any) => entry.subscriptionId === customer.subscriptions[Number(index)],
      );
      compare(`subscription ${index} charges`, own?.chargesUsd, modelTotals.chargesCents);
      compare(`subscription ${index} credits`, own?.creditsUsd, modelTotals.creditsCents, true);
      compare(`subscription ${index} net`, own?.netUsd, modelTotals.netCents);
    }
    const subscriptionsTotalled = (totals.subscriptions ?? [])
      .map((entry: any) => subscriptionIndex(entry.subscriptionId))
      .sort();
    const modelSubscriptions = Object.keys(statement.totals.subscriptions).map(Number).sort();
    if (JSON.stringify(subscriptionsTotalled) !== JSON.stringify(modelSubscriptions))
      mismatches.push(
        `${at}: totals for subscriptions ${subscriptionsTotalled.join(', ')}; the model: ${modelSubscriptions.join(', ')}`,
      );
    // The system's own sum: its lines add up to its totals.
    const sum = lines.reduce((total: number, line: { amountCents: number }) => total + line.amountCents, 0);
    if (sum !== cents(totals.netUsd))
      mismatches.push(`${at}: its lines sum to ${usd(sum)} but its net is ${totals.netUsd}`);
    systemNet += cents(totals.netUsd);
  }
  const fromEvents = money.events
    .filter((event) => event.customerId === customer.id)
    .reduce((sum, event) => sum + event.amountCents, 0);
  if (fromEvents !== systemNet)
    mismatches.push(
      `[${life.key}] the statements' net over all months is ${usd(systemNet)}; the money events in $all sum to ${usd(fromEvents)}`,
    );
}

// ---------------------------------------------------------------- reservations, coverage, payments

const STATE: Record<ModelReservation['status'], string> = {
  active: 'Succeeded',
  expired: 'Expired',
  cancelled: 'Cancelled',
  split: 'Split',
  merged: 'Merged',
  exchanged: 'Exchanged',
};

/** What a reservation held from when to when, from its view: its quantity after each return or partial exchange, until it ended. */
export function segmentsOfView(view: any): Segment[] {
  const from = Date.parse(view.effectiveDate);
  const end = Date.parse(view.endedAt ?? view.expiryDate);
  const changes = (view.history ?? [])
    .filter(
      (entry: any) =>
        (entry.type === 'ReservationQuantityReturned' || entry.type === 'ReservationExchanged') && entry.detail,
    )
    .map((entry: any) => ({
      at: Date.parse(entry.detail.returnedAt ?? entry.detail.exchangedAt ?? entry.at),
      quantity: entry.detail.quantity as number,
      remaining: entry.detail.remainingQuantity as number,
    }));
  let quantity = changes.length ? changes[0].quantity + changes[0].remaining : view.quantity;
  const segments: Segment[] = [];
  let start = from;
  for (const change of changes) {
    if (change.at > start) segments.push({ from: start, to: change.at, quantity });
    start = change.at;
    quantity = change.remaining;
    if (quantity === 0) return segments;
  }
  if (end > start) segments.push({ from: start, to: end, quantity });
  return segments;
}

const showSegments = (segments: Segment[]) =>
  segments.map((segment) => `[${iso(segment.from)}, ${iso(segment.to)}) ×${segment.quantity}`).join(' ');

async function compareReservations(
  api: ApiHarness,
  life: LifeResult,
  customer: Customer,
  ids: Ids,
  mismatches: string[],
) {
  const at = (id: string) => `[${life.key} ${id}]`;
  const listed = await api.call('GET', `/v1/customers/${customer.id}/reservations`);
  const systemIds = new Set<string>((listed.body?.items ?? []).map((item: any) => item.reservationId));
  for (const systemId of systemIds)
    if (!ids.model(systemId)) {
      const item = listed.body.items.find((candidate: any) => candidate.reservationId === systemId);
      mismatches.push(
        `[${life.key}] the system has a reservation the model does not: ${item.catalogItemId} ×${item.quantity} from ${item.effectiveDate}, ${item.provisioningState}, origin ${JSON.stringify(item.origin)}`,
      );
    }
  const segmentsByChain = new Map<string, Segment[]>();
  for (const reservation of life.reservations.values()) {
    const systemId = ids.system(life.key, reservation.id);
    if (!systemId) {
      mismatches.push(
        `${at(reservation.id)} the model has ${reservation.catalogItemId} ×${reservation.quantity} (${reservation.origin.type}); the system has none`,
      );
      continue;
    }
    if (!systemIds.has(systemId)) mismatches.push(`${at(reservation.id)} not in the customer's list of reservations`);
    const view = (await api.call('GET', `/v1/reservations/${systemId}`)).body;
    const expect = (what: string, system: unknown, modelValue: unknown) => {
      if (system !== modelValue)
        mismatches.push(`${at(reservation.id)} ${what}: ${String(system)}; the model: ${String(modelValue)}`);
    };
    expect('state', view.provisioningState, STATE[reservation.status]);
    expect('catalog item', view.catalogItemId, reservation.catalogItemId);
    expect('term', view.term, reservation.term);
    expect('billing plan', view.billingPlan, reservation.plan);
    expect('quantity', view.quantity, reservation.quantity);
    // The term starts at purchase (a split or merged part keeps its source's); the part covers from its split or merge.
    expect('term start', view.purchasedAt ?? view.effectiveDate, iso(reservation.start));
    expect('effective', view.effectiveDate, iso(reservation.segments[0]?.from ?? reservation.start));
    expect('expiry', view.expiryDate, iso(reservation.end));
    if (reservation.endedAt !== undefined) expect('ended', view.endedAt, iso(reservation.endedAt));
    if (view.unitPriceUsd !== undefined) expect('unit price', cents(view.unitPriceUsd), reservation.unitCents);
    if (reservation.status === 'active' || reservation.status === 'expired')
      expect('auto-renew', view.autoRenew, reservation.autoRenew);
    if (reservation.renewal) {
      expect('renewal price', cents(view.renewal?.unitPriceUsd), reservation.renewal.unitCents);
      if (view.renewal)
        expect(
          'renewed into',
          ids.model((await completed(api, view.renewal.orderId))?.reservationIds?.[0]),
          reservation.renewal.id,
        );
    } else if (view.renewal)
      mismatches.push(
        `${at(reservation.id)} the system renewed it (order ${view.renewal.orderId}); the model does not`,
      );
    expect('renewal failed', view.renewalFailure !== undefined, reservation.renewalFailed !== undefined);
    // The lock: taken 30 days before expiry or at a change inside them, dropped when auto-renew is turned off.
    if (reservation.status === 'active')
      expect(
        'renewal price locked',
        view.renewalUnitPriceUsd === undefined ? undefined : cents(view.renewalUnitPriceUsd),
        reservation.lock?.cents,
      );
    const segments = segmentsOfView(view);
    if (showSegments(segments) !== showSegments(reservation.segments))
      mismatches.push(
        `${at(reservation.id)} holds ${showSegments(segments)}; the model: ${showSegments(reservation.segments)}`,
      );
    segmentsByChain.set(reservation.chain, [...(segmentsByChain.get(reservation.chain) ?? []), ...segments]);
    await comparePayments(api, life, reservation, systemId, mismatches);
  }
  // Each chain (a purchase and its renewals, splits and merges) holds each hour once: no gap, no overlap.
  for (const [chain, modelCoverage] of life.coverage) {
    const systemCoverage = flatten(segmentsByChain.get(chain) ?? []);
    if (showSegments(systemCoverage) !== showSegments(modelCoverage))
      mismatches.push(
        `[${life.key} chain ${chain}] covers ${showSegments(systemCoverage)}; the model: ${showSegments(modelCoverage)}`,
      );
  }
}

async function comparePayments(
  api: ApiHarness,
  life: LifeResult,
  reservation: ModelReservation,
  systemId: string,
  mismatches: string[],
) {
  const at = `[${life.key} ${reservation.id}] payments`;
  const answer = await api.call('GET', `/v1/reservations/${systemId}/payments`);
  if (answer.status !== 200) return void mismatches.push(`${at}: ${answer.status}`);
  const paid = (answer.body.items ?? []).filter((item: any) => item.status === 'paid');
  const expected = life.payments.filter((payment) => payment.reservation === reservation.id);
  const show = (items: Array<{ number: number; due: string; amountCents: number }>) =>
    items.map((p) => `#${p.number} ${p.due} ${usd(p.amountCents)}`).join(', ');
  const system = show(
    paid.map((item: any) => ({
      number: item.paymentNumber,
      due: new Date(item.dueAt).toISOString(),
      amountCents: cents(item.amountUsd),
    })),
  );
  const model = show(
    expected.map((payment) => ({ number: payment.number, due: iso(payment.due), amountCents: payment.amountCents })),
  );
  if (system !== model) mismatches.push(`${at}: paid ${system || 'none'}; the model: ${model || 'none'}`);
  const paidCents = expected.reduce((sum, payment) => sum + payment.amountCents, 0);
  if (cents(answer.body.paidUsd) !== paidCents)
    mismatches.push(`${at}: paidUsd ${answer.body.paidUsd}; the model: ${usd(paidCents)}`);
  // A schedule sums to the upfront price: for one never split, merged or returned, its total is the unit price × quantity.
  const untouched =
    reservation.origin.type !== 'split' && reservation.origin.type !== 'merge' && reservation.segments.length === 1;
  if (
    reservation.plan === 'Monthly' &&
    untouched &&
    cents(answer.body.totalUsd) !== reservation.unitCents * reservation.quantity
  )
    mismatches.push(
      `${at}: the schedule totals ${answer.body.totalUsd}, not the upfront price ${usd(reservation.unitCents * reservation.quantity)}`,
    );
}

// ---------------------------------------------------------------- rules that need no model

function checkSystemRules(model: ModelRun, money: Money, mismatches: string[]) {
  // The checks below read events: none found where the model refunds would make them pass for nothing.
  if (model.lives.some((life) => life.refunds.length) && money.refundsRecorded.length === 0)
    mismatches.push('[cap] no RefundRecorded in $all to check the cap on');
  // The cap: what counts toward it in any rolling 12 months stays within USD 50,000.
  const refunds = money.refundsRecorded.filter(
    (refund) => !refund.cancellationId || !money.reversed.has(refund.cancellationId),
  );
  for (const refund of refunds) {
    const t = Date.parse(refund.refundedAt);
    const window = refunds.filter(
      (other) =>
        other.customerId === refund.customerId &&
        Date.parse(other.refundedAt) <= t &&
        Date.parse(other.refundedAt) > addMonths(t, -12),
    );
    const counted = window.reduce((sum, other) => sum + cents(other.countedUsd ?? other.amountUsd), 0);
    if (counted > 5_000_000)
      mismatches.push(
        `[cap] customer ${refund.customerId} has ${usd(counted)} counted in the 12 months to ${refund.refundedAt}`,
      );
  }
  // A refund never exceeds what was paid for the same VMs: per lineage (a reservation with its split and merged parts).
  const lineage = new Map<string, string>();
  const root = (id: string): string => {
    const parent = lineage.get(id);
    return parent === undefined || parent === id ? id : root(parent);
  };
  for (const [id, provisioned] of money.provisioned) {
    lineage.set(id, id);
    if (provisioned.origin?.type === 'split' || provisioned.origin?.type === 'merge')
      for (const source of provisioned.origin.reservationIds as string[]) lineage.set(root(id), root(source));
  }
  const balance = new Map<string, { paid: number; refunded: number }>();
  for (const event of money.events) {
    const group = root(event.reservationId);
    const entry = balance.get(group) ?? { paid: 0, refunded: 0 };
    if (event.amountCents > 0) entry.paid += event.amountCents;
    else entry.refunded -= event.amountCents;
    balance.set(group, entry);
  }
  for (const [group, { paid, refunded }] of balance)
    if (refunded > paid)
      mismatches.push(
        `[refund] reservation ${group} and its parts were refunded ${usd(refunded)}, more than the ${usd(paid)} paid`,
      );
}

/** No renewal with auto-renew off at expiry; each renewal starts at the old expiry and pays a price of its own term, never more than its market price then. */
async function checkRenewals(api: ApiHarness, model: ModelRun, money: Money, mismatches: string[]) {
  const market = new Market(model.world.catalogChanges);
  let checked = 0;
  for (const [id, provisioned] of money.provisioned) {
    const view = (await api.call('GET', `/v1/reservations/${id}`)).body;
    if (!view?.renewal) continue;
    checked++;
    const at = `[renewal of ${id}]`;
    if (!view.autoRenew) mismatches.push(`${at} renewed with auto-renew off`);
    const order = await completed(api, view.renewal.orderId);
    const renewedId = order?.reservationIds?.[0];
    const renewed = renewedId && money.provisioned.get(renewedId);
    if (!renewed) {
      mismatches.push(`${at} its renewal order ${view.renewal.orderId} holds no reservation`);
      continue;
    }
    if (renewed.effectiveDate !== provisioned.expiryDate)
      mismatches.push(`${at} starts at ${renewed.effectiveDate}, not at the old expiry ${provisioned.expiryDate}`);
    if (view.endedAt !== undefined && view.endedAt !== provisioned.expiryDate)
      mismatches.push(`${at} the old one ended at ${view.endedAt}, not at its expiry`);
    const item = catalogItem(renewed.catalogItemId);
    if (item.term !== renewed.term) mismatches.push(`${at} bought ${item.id} for a ${renewed.term} term`);
    const expiry = Date.parse(provisioned.expiryDate);
    const price = cents(view.renewal.unitPriceUsd);
    if (price > market.price(item.id, expiry))
      mismatches.push(
        `${at} paid ${view.renewal.unitPriceUsd}, above the ${renewed.term} market price at expiry, ${usd(market.price(item.id, expiry))}`,
      );
    // Locked no earlier than 30 days (and a pass) before expiry: the price is one the renewal's own item had since then.
    const since = expiry - 31 * DAY;
    const prices = new Set([
      market.price(item.id, since),
      ...market.changesWithin(item.id, since, expiry).map((t) => market.price(item.id, t)),
    ]);
    if (!prices.has(price))
      mismatches.push(
        `${at} paid ${view.renewal.unitPriceUsd}, which ${item.id} never cost in the 31 days before expiry`,
      );
  }
  const renewals = model.moments.reduce(
    (n, moment) => n + moment.passEvents.filter((event) => event.type === 'renewed').length,
    0,
  );
  if (checked < renewals)
    mismatches.push(`[renewal] ${checked} renewal(s) found in the system to check; the model made ${renewals}`);
}
