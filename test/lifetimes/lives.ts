/**
 * Generated worlds for the lifetimes run: a sandbox start in 2026 (so early
 * reservations can still be exchanged and later ones cannot), four years of
 * customers' lives, and catalog prices that change and sizes withdrawn.
 * One life is written out to go through every rule; the others are random.
 */
import fc from 'fast-check';
import {
  Action,
  ActionBody,
  addMonths,
  CatalogChange,
  catalogItem,
  DAY,
  iso,
  Life,
  Market,
  Path,
  Plan,
  runModel,
  Term,
  World,
} from './reference-model';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** What random lives buy: sizes of one flexibility group in East US, and of two in Japan East (the biggest for the refund cap). */
export const POOL = [
  'ri-standard_d2s_v5-eastus-p1y',
  'ri-standard_d2s_v5-eastus-p3y',
  'ri-standard_d4s_v5-eastus-p1y',
  'ri-standard_d4s_v5-eastus-p3y',
  'ri-standard_d8s_v5-eastus-p1y',
  'ri-standard_d16s_v5-eastus-p1y',
  'ri-standard_d4s_v5-japaneast-p1y',
  'ri-standard_d4s_v5-japaneast-p3y',
  'ri-standard_d64s_v5-japaneast-p3y',
  'ri-standard_ds2_v2-japaneast-p1y',
  'ri-standard_ds3_v2-japaneast-p1y',
  'ri-standard_ds3_v2-japaneast-p3y',
];
/** Random withdrawals only touch sizes the every-path life does not rely on. */
const WITHDRAWABLE = [
  'ri-standard_d16s_v5-eastus-p1y',
  'ri-standard_d4s_v5-japaneast-p1y',
  'ri-standard_d4s_v5-japaneast-p3y',
];
/** The every-path life's renewal fails on this size, withdrawn half a year in. */
const WITHDRAWN_FOR_EVERY_PATH = 'ri-standard_d2s_v5-japaneast-p1y';

/** The rules a run must have gone through, across its lives. */
export const REQUIRED_PATHS: Path[] = [
  'renewal',
  'renewalTermChanged',
  'renewalMonthly',
  'renewalFailedWithdrawn',
  'autoRenewOffAtExpiry',
  'autoRenewOffDayBeforeExpiry',
  'settingsChangedAfterLock',
  'lockBelowMarket',
  'marketBelowLock',
  'lockedByAutoRenewOn',
  'return',
  'returnMonthly',
  'cancel',
  'split',
  'merge',
  'exchange',
  'exchangeSeveral',
  'exchangeNotEligible',
  'exchangeValueTooLow',
  'refundCapExceeded',
  'reservationExpired',
  'priceChange',
  'withdrawnItem',
];

const YEARS = 4;

const plan = fc.constantFrom<Plan>('Upfront', 'Monthly');
const term = fc.constantFrom<Term>('P1Y', 'P3Y');
/** A time of day that is never a pass (00:05), a price change (12:00:00) or a due instant of the start (whole minutes). */
const timeOfDay = fc
  .record({ hour: fc.integer({ min: 1, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) })
  .map(({ hour, minute }) => hour * HOUR + minute * MINUTE + 30_000);

type Draft =
  | {
      day: number;
      time: number;
      kind: 'purchase';
      plan: Plan;
      lines: Array<{ item: number; quantity: number; autoRenew: boolean; subscription: number }>;
    }
  | { day: number; time: number; kind: 'other'; body: ActionBody }
  | { kind: 'relative'; body: Action };

const purchase = fc.record({
  day: fc.integer({ min: 0, max: 30 * 30 }),
  time: timeOfDay,
  kind: fc.constant('purchase' as const),
  // An order has one billing plan: the system refuses a cart that mixes them.
  plan,
  lines: fc.array(
    fc.record({
      item: fc.nat(),
      quantity: fc.integer({ min: 1, max: 4 }),
      autoRenew: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
      subscription: fc.nat({ max: 1 }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
});

/** An action on whatever the customer holds then; the model picks the reservation. */
const body: fc.Arbitrary<ActionBody> = fc.oneof<fc.Arbitrary<ActionBody>[]>(
  fc.record({
    type: fc.constant('autoRenew' as const),
    reservation: fc.record({ pick: fc.nat() }),
    autoRenew: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('renewalSettings' as const),
    reservation: fc.record({ pick: fc.nat() }),
    quantity: fc.integer({ min: 1, max: 3 }),
    term,
    billingPlan: plan,
  }),
  fc.record({
    type: fc.constant('return' as const),
    reservation: fc.record({ pick: fc.nat() }),
    quantity: fc.record({ fraction: fc.double({ min: 0.1, max: 1, noNaN: true }) }),
  }),
  fc.record({ type: fc.constant('cancel' as const), reservation: fc.record({ pick: fc.nat() }) }),
  fc.record({ type: fc.constant('split' as const), reservation: fc.record({ pick: fc.nat() }) }),
  fc.record({ type: fc.constant('mergeAny' as const), pick: fc.nat() }),
  fc.record({
    type: fc.constant('exchangeAny' as const),
    pick: fc.nat(),
    second: fc.option(fc.nat(), { nil: undefined }),
    fraction: fc.double({ min: 0.1, max: 1, noNaN: true }),
    size: fc.nat(),
    term,
    billingPlan: plan,
    valueFactor: fc.double({ min: 0.5, max: 2.5, noNaN: true }),
  }),
  fc.record({
    type: fc.constant('lateChange' as const),
    pickExpired: fc.nat(),
    change: fc.constantFrom<'autoRenew' | 'renewalSettings'>('autoRenew', 'renewalSettings'),
  }),
);

const other = fc.record({
  day: fc.integer({ min: 1, max: 365 * YEARS - 10 }),
  time: timeOfDay,
  kind: fc.constant('other' as const),
  body,
});

/** Around an expiry: the last day (auto-renew off or on, settings), inside the lock's 30 days, or just before them. */
const relative = fc.record({
  kind: fc.constant('relative' as const),
  reservation: fc.integer({ min: 1, max: 8 }),
  beforeMs: fc.constantFrom(DAY, DAY - 2 * HOUR, 10 * DAY + 3 * HOUR, 29 * DAY, 31 * DAY),
  body: fc.oneof(
    fc.record({ type: fc.constant('autoRenew' as const), autoRenew: fc.boolean() }),
    fc.record({
      type: fc.constant('renewalSettings' as const),
      quantity: fc.integer({ min: 1, max: 3 }),
      term,
      billingPlan: plan,
    }),
  ),
});

export interface LifeDraft {
  subscriptions: number;
  drafts: Draft[];
}

const lifeDraft: fc.Arbitrary<LifeDraft> = fc.record({
  subscriptions: fc.integer({ min: 1, max: 2 }),
  drafts: fc
    .tuple(
      fc.array(purchase, { minLength: 1, maxLength: 3 }),
      fc.array(other, { maxLength: 8 }),
      fc.array(relative, { maxLength: 3 }),
    )
    .map(([purchases, others, relatives]) => [
      ...purchases,
      ...others,
      ...relatives.map((r): Draft => ({
        kind: 'relative',
        body: {
          ...r.body,
          reservation: `R${r.reservation}`,
          beforeExpiry: `R${r.reservation}`,
          beforeMs: r.beforeMs,
        } as Action,
      })),
    ]),
});

const priceChange = fc.record({
  item: fc.nat(),
  day: fc.integer({ min: -30, max: 365 * YEARS }),
  factor: fc.integer({ min: 80, max: 125 }),
});
const withdrawal = fc.record({ item: fc.nat(), day: fc.integer({ min: 60, max: 365 * YEARS }) });

/** The start: a day of 2026 at a whole minute that is neither 00:05 nor 12:00. */
const start = fc
  .record({
    day: fc.integer({ min: 0, max: 364 }),
    hour: fc.integer({ min: 1, max: 22 }),
    minute: fc.constantFrom(7, 13, 22, 41, 53),
  })
  .map(({ day, hour, minute }) => Date.UTC(2026, 0, 1) + day * DAY + hour * HOUR + minute * MINUTE);

/** All of `items`, always; shrunk by leaving out half, then one at a time, so a failure shrinks to the lives and actions that make it. */
class AllOf<T> extends fc.Arbitrary<T[]> {
  constructor(private readonly items: readonly T[]) {
    super();
  }
  generate(): fc.Value<T[]> {
    return new fc.Value([...this.items], undefined);
  }
  canShrinkWithoutContext(value: unknown): value is T[] {
    return Array.isArray(value) && value.every((item) => this.items.includes(item as T));
  }
  shrink(value: T[]): fc.Stream<fc.Value<T[]>> {
    const half = Math.floor(value.length / 2);
    const halves = value.length > 3 ? [value.slice(half), value.slice(0, half)] : [];
    const ones = value.map((_, index) => value.filter((__, other) => other !== index));
    return fc.Stream.of(...[...halves, ...ones].map((kept) => new fc.Value(kept, undefined)));
  }
}

export interface WorldDraft {
  start: number;
  /** Which of the every-path life's actions it keeps (all, unless shrunk). */
  everyPath: number[];
  priceChanges: Array<{ item: number; day: number; factor: number }>;
  withdrawals: Array<{ item: number; day: number }>;
  lives: LifeDraft[];
  /** Which random lives it keeps (all, unless shrunk). */
  keptLives: number[];
}

export function worldArbitrary(randomLives: number): fc.Arbitrary<World> {
  return (
    fc
      // Shrunk in this order: whole lives first, then the scripted life's actions, then the catalog, then the start.
      .record({
        keptLives: new AllOf(Array.from({ length: randomLives }, (_, index) => index)),
        lives: fc.array(lifeDraft, { minLength: randomLives, maxLength: randomLives }),
        everyPath: new AllOf(everyPathLife(0).actions.map((_, index) => index)),
        priceChanges: fc.array(priceChange, { maxLength: 5 }),
        withdrawals: fc.array(withdrawal, { maxLength: 1 }),
        start,
      })
      .map(buildWorld)
      .filter((world) => runModel(world).ambiguities.length === 0)
  );
}

const noon = (start: number, day: number) => Math.floor((start + day * DAY) / DAY) * DAY + 12 * HOUR;
const cents = (usd: number) => Math.round(usd * 100) / 100;

export function buildWorld(draft: WorldDraft): World {
  const start = draft.start;
  const end = addMonths(start, 12 * YEARS) + DAY;
  const catalogChanges: CatalogChange[] = [...everyPathChanges(start)];
  const withdrawn = new Map<string, number>([[WITHDRAWN_FOR_EVERY_PATH, noon(start, 182)]]);
  for (const { item, day } of draft.withdrawals) {
    const id = WITHDRAWABLE[item % WITHDRAWABLE.length];
    if (!withdrawn.has(id)) withdrawn.set(id, noon(start, day));
  }
  for (const { item, day, factor } of draft.priceChanges) {
    const id = POOL[item % POOL.length];
    const from = noon(start, day);
    // A price change after a withdrawal would put the size back on sale.
    if (from >= (withdrawn.get(id) ?? Number.POSITIVE_INFINITY)) continue;
    catalogChanges.push({
      catalogItemId: id,
      from: iso(from),
      unitPriceUsd: cents((catalogItem(id).unitPriceUsd * factor) / 100),
    });
  }
  for (const [id, from] of withdrawn) catalogChanges.push({ catalogItemId: id, from: iso(from), withdrawn: true });
  const market = new Market(catalogChanges);

  const everyPath = everyPathLife(start);
  const lives: Life[] = [
    { ...everyPath, actions: everyPath.actions.filter((_, index) => draft.everyPath.includes(index)) },
  ];
  draft.lives.forEach((life, index) => {
    if (!draft.keptLives.includes(index)) return;
    const actions: Action[] = [];
    for (const draft of life.drafts) {
      if (draft.kind === 'relative') {
        actions.push(draft.body);
        continue;
      }
      const when = Math.floor((start + draft.day * DAY) / DAY) * DAY + draft.time;
      if (when < start) continue;
      if (draft.kind === 'other') {
        actions.push({ ...draft.body, at: iso(when) });
        continue;
      }
      // Only what is on sale then: a withdrawn size cannot be added to a cart.
      const onSale = POOL.filter((id) => market.onSale(id, when));
      const lines = draft.lines.map((line) => ({
        catalogItemId: onSale[line.item % onSale.length],
        quantity: line.quantity,
        billingPlan: draft.plan,
        autoRenew: line.autoRenew,
        subscription: line.subscription,
      }));
      // One line per size in a cart.
      const distinct = lines.filter(
        (line, i) => lines.findIndex((other) => other.catalogItemId === line.catalogItemId) === i,
      );
      actions.push({ at: iso(when), type: 'purchase', lines: distinct });
    }
    actions.sort(
      (a, b) =>
        ('at' in a ? Date.parse(a.at) : Number.POSITIVE_INFINITY) -
        ('at' in b ? Date.parse(b.at) : Number.POSITIVE_INFINITY),
    );
    lives.push({ key: `life${index + 1}`, subscriptions: life.subscriptions, actions });
  });
  return { start: iso(start), end: iso(end), catalogChanges, lives };
}

/** The every-path life's own prices: a size its renewal buys goes up, one it returns goes down. */
function everyPathChanges(start: number): CatalogChange[] {
  const firstExpiry = addMonths(start + HOUR, 12);
  const exchangedFor = addMonths(Math.floor((start + 45 * DAY) / DAY) * DAY + 10 * HOUR + 30_000, 36);
  return [
    { catalogItemId: 'ri-standard_d2s_v5-eastus-p3y', from: iso(noon(start, 180)), unitPriceUsd: 1_089.88 },
    // After renews' settings change ten days before expiry locked it again: the renewal pays the lock.
    { catalogItemId: 'ri-standard_d2s_v5-eastus-p3y', from: iso(firstExpiry - 5 * DAY), unitPriceUsd: 1_150 },
    { catalogItemId: 'ri-standard_d8s_v5-eastus-p1y', from: iso(noon(start, 20)), unitPriceUsd: 1_907.3 },
    // An hour after exchanged's auto-renew is turned on again, 20 days before expiry: it renews at the price of that instant.
    { catalogItemId: 'ri-standard_d8s_v5-eastus-p1y', from: iso(firstExpiry - 20 * DAY + HOUR), unitPriceUsd: 2_200 },
    // Below the lock of what the exchange bought, before it renews: it renews at the market price.
    { catalogItemId: 'ri-standard_d16s_v5-eastus-p3y', from: iso(exchangedFor - 10 * DAY), unitPriceUsd: 7_500 },
  ];
}

/**
 * A customer whose life goes through every rule, whatever the random ones do:
 *   renews      2 × D2s_v5 P1Y upfront: renewal changed to P3Y ten days before expiry (after the lock), renewed at the P3Y
 *               price then, below the market at expiry.
 *   withdrawn   D2s_v5 Japan East P1Y monthly: its size is withdrawn, so its renewal fails.
 *   offAtEnd    2 × D4s_v5 P1Y upfront: one returned by the exchange; auto-renew off the day before expiry, nothing bought.
 *   splits      4 × D4s_v5 P3Y monthly, no auto-renew: split, merged back, one returned, then cancelled.
 *   exchanged   2 × D8s_v5 P1Y upfront: one exchanged with one of offAtEnd for a D16s_v5 P3Y monthly, which renews monthly at a
 *               market price fallen below its lock; another exchange, worth too little, is refused. Auto-renew off, then on
 *               again 20 days before expiry: locked at that instant, an hour before the price rises.
 *   big         2 × D64s_v5 Japan East P3Y: one returned, the second refused by the USD 50,000 cap.
 *   late        bought after 2027-02-01: its exchange is not eligible. An expired reservation's renewal cannot change.
 */
export function everyPathLife(start: number): Life {
  const on = (day: number, hour = 10) => iso(Math.floor((start + day * DAY) / DAY) * DAY + hour * HOUR + 30_000);
  return {
    key: 'every-path',
    subscriptions: 2,
    actions: [
      {
        at: iso(start + HOUR),
        type: 'purchase',
        lines: [
          {
            catalogItemId: 'ri-standard_d2s_v5-eastus-p1y',
            quantity: 2,
            billingPlan: 'Upfront',
            autoRenew: true,
            label: 'renews',
          },
          {
            catalogItemId: 'ri-standard_d4s_v5-eastus-p1y',
            quantity: 2,
            billingPlan: 'Upfront',
            autoRenew: true,
            label: 'offAtEnd',
          },
          {
            catalogItemId: 'ri-standard_d8s_v5-eastus-p1y',
            quantity: 2,
            billingPlan: 'Upfront',
            autoRenew: true,
            label: 'exchanged',
          },
        ],
      },
      {
        at: iso(start + HOUR),
        type: 'purchase',
        lines: [
          {
            catalogItemId: WITHDRAWN_FOR_EVERY_PATH,
            quantity: 1,
            billingPlan: 'Monthly',
            autoRenew: true,
            subscription: 1,
            label: 'withdrawn',
          },
          {
            catalogItemId: 'ri-standard_d4s_v5-eastus-p3y',
            quantity: 4,
            billingPlan: 'Monthly',
            autoRenew: false,
            subscription: 1,
            label: 'splits',
          },
        ],
      },
      {
        at: on(45),
        type: 'exchange',
        returns: [
          { reservation: '@exchanged', quantity: 1 },
          { reservation: '@offAtEnd', quantity: 1 },
        ],
        purchase: { catalogItemId: 'ri-standard_d16s_v5-eastus-p3y', quantity: 1, billingPlan: 'Monthly' },
      },
      {
        at: on(50),
        type: 'exchange',
        returns: [{ reservation: '@exchanged', quantity: 1 }],
        purchase: { catalogItemId: 'ri-standard_d2s_v5-eastus-p1y', quantity: 1, billingPlan: 'Upfront' },
      },
      { at: on(60), type: 'split', reservation: '@splits', quantities: [1, 3], labels: ['one', 'three'] },
      { at: on(100), type: 'merge', reservations: ['@one', '@three'], label: 'merged' },
      { at: on(130), type: 'return', reservation: '@merged', quantity: 1 },
      { at: on(200), type: 'cancel', reservation: '@merged' },
      {
        at: on(300),
        type: 'purchase',
        lines: [
          {
            catalogItemId: 'ri-standard_d64s_v5-japaneast-p3y',
            quantity: 2,
            billingPlan: 'Upfront',
            autoRenew: false,
            label: 'big',
          },
        ],
      },
      { at: on(310), type: 'return', reservation: '@big', quantity: 1 },
      { at: on(320), type: 'return', reservation: '@big', quantity: 1 },
      { beforeExpiry: '@renews', beforeMs: 10 * DAY, type: 'renewalSettings', reservation: '@renews', term: 'P3Y' },
      { beforeExpiry: '@offAtEnd', beforeMs: DAY, type: 'autoRenew', reservation: '@offAtEnd', autoRenew: false },
      {
        beforeExpiry: '@exchanged',
        beforeMs: 40 * DAY,
        type: 'autoRenew',
        reservation: '@exchanged',
        autoRenew: false,
      },
      { beforeExpiry: '@exchanged', beforeMs: 20 * DAY, type: 'autoRenew', reservation: '@exchanged', autoRenew: true },
      { at: on(380), type: 'lateChange', pickExpired: 0, change: 'renewalSettings' },
      {
        at: on(430),
        type: 'purchase',
        lines: [
          {
            catalogItemId: 'ri-standard_d2s_v5-eastus-p1y',
            quantity: 1,
            billingPlan: 'Upfront',
            autoRenew: false,
            label: 'late',
          },
        ],
      },
      {
        at: on(460),
        type: 'exchange',
        returns: [{ reservation: '@late', quantity: 1 }],
        purchase: { catalogItemId: 'ri-standard_d4s_v5-eastus-p1y', quantity: 1, billingPlan: 'Upfront' },
      },
    ],
  };
}
