/**
 * An independent model of what the system charges, credits and covers,
 * written from docs/money.md alone: it shares nothing with libs/domain but
 * the catalog's data. Given a world (the sandbox clock's start, the dated
 * catalog changes, and each customer's timeline of actions) it walks the
 * timeline as the sandbox does (a lifecycle pass at each 00:05 UTC crossed
 * and at each move's target), and computes every statement line, every
 * reservation's coverage, and every refusal. Amounts are integer cents.
 */
import type { CatalogItem } from '../../libs/domain/src/catalog/catalog-item';
import catalogData from '../../libs/domain/src/catalog/reserved-vm-catalog.json';

export type Term = 'P1Y' | 'P3Y';
export type Plan = 'Upfront' | 'Monthly';
export type Code = 'REFUND_CAP_EXCEEDED' | 'EXCHANGE_NOT_ELIGIBLE' | 'EXCHANGE_VALUE_TOO_LOW' | 'RESERVATION_EXPIRED';
export type LineKind =
  'purchase' | 'renewalPurchase' | 'exchangePurchase' | 'monthlyPayment' | 'refund' | 'exchangeRefund';

export const CATALOG: readonly CatalogItem[] = catalogData as CatalogItem[];
const ITEMS = new Map(CATALOG.map((item) => [item.id, item]));
export const catalogItem = (id: string): CatalogItem => {
  const item = ITEMS.get(id);
  if (!item) throw new Error(`no catalog item ${id}`);
  return item;
};
/** The same size in the same region for another term. */
export const itemForTerm = (item: CatalogItem, term: Term): CatalogItem =>
  CATALOG.find((other) => other.armSkuName === item.armSkuName && other.region === item.region && other.term === term)!;

// ---------------------------------------------------------------- time

export const DAY = 86_400_000;
const MINUTE = 60_000;
const PASS_OFFSET = 5 * MINUTE;
export const CAP_CENTS = 5_000_000;
/** VM reservations bought on or after this instant cannot be exchanged (the dated policy). */
export const EXCHANGE_POLICY_END = Date.UTC(2027, 1, 1);
export const TERM_MONTHS: Record<Term, number> = { P1Y: 12, P3Y: 36 };

const leap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (year: number, month: number) => (month === 1 && leap(year) ? 29 : MONTH_DAYS[month]);

/** Adds n months keeping the time of day and the day of the month, clamped to the target month's last day. */
export function addMonths(instant: number, months: number): number {
  const date = new Date(instant);
  const index = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  return Date.UTC(year, month, Math.min(date.getUTCDate(), daysIn(year, month))) + (instant - midnight);
}

export const iso = (instant: number) => new Date(instant).toISOString();
export const at = (text: string) => {
  const instant = Date.parse(text);
  if (Number.isNaN(instant)) throw new Error(`not an instant: ${text}`);
  return instant;
};
export const monthOf = (instant: number) => iso(instant).slice(0, 7);
/** A month closes at 00:00 UTC on the 2nd of the next month. */
export const monthCloses = (month: string) => Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 2);
const nextMonth = (month: string) => monthOf(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1));

/** The lifecycle passes a move from `from` to `to` runs: each 00:05 UTC in (from, to], then `to` itself. */
export function passesBetween(from: number, to: number): number[] {
  const passes: number[] = [];
  for (let pass = Math.floor(from / DAY) * DAY + PASS_OFFSET; pass <= to; pass += DAY)
    if (pass > from) passes.push(pass);
  if (to > from && passes[passes.length - 1] !== to) passes.push(to);
  return passes;
}

// ---------------------------------------------------------------- the catalog over time

export type CatalogChange =
  | { catalogItemId: string; from: string; unitPriceUsd: number }
  | { catalogItemId: string; from: string; withdrawn: true };

export class Market {
  private readonly changes: Array<{ id: string; from: number; cents?: number; withdrawn: boolean }>;
  constructor(changes: readonly CatalogChange[]) {
    this.changes = changes
      .map((change) => ({
        id: change.catalogItemId,
        from: at(change.from),
        cents: 'unitPriceUsd' in change ? toCents(change.unitPriceUsd) : undefined,
        withdrawn: 'withdrawn' in change,
      }))
      .sort((a, b) => a.from - b.from);
  }
  /** The price at t: the last price change at or before t, else the shipped price. */
  price(id: string, t: number): number {
    let cents = toCents(catalogItem(id).unitPriceUsd);
    for (const change of this.changes)
      if (change.id === id && change.from <= t && change.cents !== undefined) cents = change.cents;
    return cents;
  }
  /** On sale at t unless its last change at or before t withdrew it. */
  onSale(id: string, t: number): boolean {
    let sold = true;
    for (const change of this.changes) if (change.id === id && change.from <= t) sold = !change.withdrawn;
    return sold;
  }
  /** Instants where this item's price or sale changes in (from, to]. */
  changesWithin(id: string, from: number, to: number): number[] {
    return this.changes
      .filter((change) => change.id === id && change.from > from && change.from <= to)
      .map((change) => change.from);
  }
  changed(id: string, t: number): boolean {
    return this.changes.some((change) => change.id === id && change.from <= t && change.cents !== undefined);
  }
}

export const toCents = (usd: number) => Math.round(usd * 100);
export const toUsd = (cents: number) => cents / 100;

// ---------------------------------------------------------------- the world

/**
 * A reservation of the model: 'R<n>' in the customer's order of creation, '@label' for one created
 * with that label, or `{ pick }` to choose among the active ones then.
 */
export type Ref = string | { pick: number };

export interface PurchaseLine {
  catalogItemId: string;
  quantity: number;
  billingPlan: Plan;
  /** On by default, as the cart line's. */
  autoRenew?: boolean;
  /** Which of the customer's subscriptions the line bills (0 by default). */
  subscription?: number;
  label?: string;
}

export type ActionBody =
  | { type: 'purchase'; lines: PurchaseLine[] }
  | { type: 'autoRenew'; reservation: Ref; autoRenew: boolean }
  /** A renewal change on a reservation that has expired: `pickExpired` chooses among those. */
  | { type: 'renewalSettings'; reservation: Ref; quantity?: number; term?: Term; billingPlan?: Plan }
  | { type: 'lateChange'; pickExpired: number; change: 'autoRenew' | 'renewalSettings' }
  | { type: 'return'; reservation: Ref; quantity: number | { fraction: number } }
  | { type: 'cancel'; reservation: Ref }
  | { type: 'split'; reservation: Ref; quantities?: [number, number]; labels?: [string, string] }
  | { type: 'merge'; reservations: string[]; label?: string }
  /** Merges the active reservations of one order that could be merged: the `pick`-th such group. */
  | { type: 'mergeAny'; pick: number }
  | {
      type: 'exchange';
      returns: Array<{ reservation: Ref; quantity: number | { fraction: number } }>;
      purchase: { catalogItemId: string; quantity: number; billingPlan: Plan };
      label?: string;
    }
  /**
   * An exchange chosen when it happens: returns part of the picked reservation (and of a
   * second one of its region and group when `second` is set) for another size of its
   * group, of a quantity worth about `valueFactor` times what is returned.
   */
  | {
      type: 'exchangeAny';
      pick: number;
      second?: number;
      fraction: number;
      size: number;
      term: Term;
      billingPlan: Plan;
      valueFactor: number;
    };

/** When an action happens: at an instant, or `beforeMs` before a reservation's expiry (only if that reservation comes to exist). */
export type When = { at: string } | { beforeExpiry: string; beforeMs: number };
export type Action = When & ActionBody;

export interface Life {
  key: string;
  /** How many subscriptions the customer has (1 by default). */
  subscriptions?: number;
  actions: Action[];
}

export interface World {
  start: string;
  end: string;
  catalogChanges: CatalogChange[];
  lives: Life[];
}

// ---------------------------------------------------------------- what the model computes

export interface Segment {
  from: number;
  to: number;
  quantity: number;
}

export interface ModelReservation {
  id: string;
  label?: string;
  order: string;
  /** The purchase's line number, for a reservation bought in a cart. */
  line?: number;
  chain: string;
  catalogItemId: string;
  armSkuName: string;
  region: string;
  flexibilityGroup: string;
  term: Term;
  plan: Plan;
  unitCents: number;
  start: number;
  end: number;
  quantity: number;
  status: 'active' | 'expired' | 'cancelled' | 'split' | 'merged' | 'exchanged';
  endedAt?: number;
  autoRenew: boolean;
  settings?: { quantity: number; term: Term; plan: Plan };
  /** The renewal's price, locked by the pass 30 days before expiry, or inside those days by auto-renew turned on or the settings changed. */
  lock?: { cents: number; at: number; by: 'pass' | 'autoRenewOn' | 'settings' };
  origin: { type: 'purchase' | 'renewal' | 'split' | 'merge' | 'exchange'; from: string[] };
  subscription: number;
  /** Monthly: the first payment number this reservation takes, and the last one recorded. */
  firstPayment: number;
  paidThrough: number;
  /** How many VMs it held from when to when. */
  segments: Segment[];
  renewal?: { id: string; unitCents: number; term: Term; quantity: number; plan: Plan; at: number };
  renewalFailed?: { at: number; reason: string };
  /** Auto-renew was last set by the customer (not by default or a split/merge). */
  autoRenewTouched: boolean;
}

export interface Payment {
  reservation: string;
  number: number;
  due: number;
  recordedAt: number;
  quantity: number;
  unitCents: number;
  amountCents: number;
}

export interface Line {
  kind: LineKind;
  date: number;
  recordedAt: number;
  month: string;
  late: boolean;
  reservation: string;
  order: string;
  subscription: number;
  quantity: number;
  /** The amount per VM: the amount ÷ the quantity, to the cent (exact for a charge: a VM's price, or its payment). */
  unitCents: number;
  amountCents: number;
}

export interface Totals {
  chargesCents: number;
  creditsCents: number;
  netCents: number;
}

export interface Statement {
  month: string;
  closed: boolean;
  lines: Line[];
  totals: Totals & { subscriptions: Record<number, Totals> };
}

export type Outcome = { ok: true } | { refused: Code };

/** What the driver sends, with model ids, and what the model expects back. */
export type Step = { at: number; life: string; expect: Outcome } & (
  | {
      type: 'purchase';
      order: string;
      lines: Array<PurchaseLine & { reservation: string; autoRenew: boolean; subscription: number }>;
    }
  | { type: 'autoRenew'; reservation: string; autoRenew: boolean }
  | { type: 'renewalSettings'; reservation: string; quantity: number; term: Term; billingPlan: Plan }
  | {
      type: 'return' | 'cancel';
      reservation: string;
      quantity: number;
      refundCents: number;
      countedCents: number;
      lowerCents: number;
    }
  | { type: 'split'; reservation: string; quantities: [number, number]; creates: [string, string] }
  | { type: 'merge'; reservations: string[]; creates: string }
  | {
      type: 'exchange';
      returns: Array<{ reservation: string; quantity: number; refundCents: number; remainingCents: number }>;
      purchase: { catalogItemId: string; quantity: number; billingPlan: Plan; unitCents: number };
      creates?: string;
      /** The purchase's charge at the exchange minus the refunds. */
      amountDueCents: number;
    }
);

/** What a lifecycle pass did for a customer, for the driver to find in the system. */
export type PassEvent = { at: number; life: string } & (
  | { type: 'renewed'; from: string; to: string }
  | { type: 'renewalFailed'; reservation: string }
  | { type: 'expired'; reservation: string }
  | { type: 'locked'; reservation: string; cents: number }
);

export interface Moment {
  /** Where the clock is moved to; the passes it runs come first, then the steps. */
  at: number;
  passEvents: PassEvent[];
  steps: Step[];
}

export interface LifeResult {
  key: string;
  subscriptions: number;
  reservations: Map<string, ModelReservation>;
  payments: Payment[];
  lines: Line[];
  statements: Statement[];
  /** Per chain (a purchase line or exchange and all that came of it by renewal, split or merge): VMs held over time. */
  coverage: Map<string, Segment[]>;
  refunds: Array<{ at: number; countedCents: number; refundCents: number }>;
  refusals: Array<{ at: number; type: string; code: Code }>;
  /** Generated actions that found nothing to act on (no such reservation then). */
  skipped: Array<{ at: number; type: string; why: string }>;
}

export interface ModelRun {
  world: World;
  moments: Moment[];
  lives: LifeResult[];
  /** Which of the rules the lives went through. */
  paths: Set<Path>;
  /** Instants the doc leaves open in this world (a price change between an expiry and the pass that renews it). */
  ambiguities: string[];
}

export type Path =
  | 'purchaseUpfront'
  | 'purchaseMonthly'
  | 'renewal'
  | 'renewalTermChanged'
  | 'renewalMonthly'
  | 'renewalFailedWithdrawn'
  | 'autoRenewOffAtExpiry'
  | 'autoRenewOffDayBeforeExpiry'
  | 'priceLocked'
  | 'lockBelowMarket'
  | 'marketBelowLock'
  | 'lockedByAutoRenewOn'
  | 'settingsChangedAfterLock'
  | 'return'
  | 'returnMonthly'
  | 'cancel'
  | 'split'
  | 'merge'
  | 'exchange'
  | 'exchangeSeveral'
  | 'exchangeMonthly'
  | 'exchangeNotEligible'
  | 'exchangeValueTooLow'
  | 'refundCapExceeded'
  | 'reservationExpired'
  | 'priceChange'
  | 'withdrawnItem';

// ---------------------------------------------------------------- money rules

/** One VM's payment i (1-based) of n: ⌊unit ÷ n⌋, the last taking the remainder. */
export function paymentPerUnit(unitCents: number, n: number, i: number): number {
  const base = Math.floor(unitCents / n);
  return i < n ? base : unitCents - base * (n - 1);
}

export const termDays = (start: number, end: number) => Math.floor((end - start) / DAY);

/** Days of the term left at t, today counting as remaining; 0 at or after expiry. */
export function remainingDays(start: number, end: number, t: number): number {
  if (t >= end) return 0;
  return termDays(start, end) - Math.floor((t - start) / DAY);
}

export interface RefundFigures {
  refundCents: number;
  /** What counts toward the cap: the refund (upfront) or the commitment cancelled (monthly). */
  countedCents: number;
  /** What an exchange returns of the commitment: the refund (upfront) or the future payments cancelled (monthly). */
  remainingCents: number;
  lowerCents: number;
}

/** The refund of `units` of a reservation at t (after the payments due by t were recorded). */
export function refundOf(reservation: ModelReservation, units: number, t: number, market: Market): RefundFigures {
  const days = termDays(reservation.start, reservation.end);
  const left = remainingDays(reservation.start, reservation.end, t);
  const purchase = reservation.unitCents;
  const lowerCents = market.onSale(reservation.catalogItemId, t)
    ? Math.min(purchase, market.price(reservation.catalogItemId, t))
    : purchase;
  if (reservation.plan === 'Upfront') {
    const refundCents = Math.floor((lowerCents * units * left) / days);
    return { refundCents, countedCents: refundCents, remainingCents: refundCents, lowerCents };
  }
  const n = TERM_MONTHS[reservation.term];
  const commitment = Math.floor((purchase * units * left) / days);
  let future = 0;
  for (let i = reservation.paidThrough + 1; i <= n; i++) future += paymentPerUnit(purchase, n, i) * units;
  const refundCents = Math.floor((Math.max(0, commitment - future) * lowerCents) / purchase);
  return { refundCents, countedCents: commitment, remainingCents: future, lowerCents };
}

/** Sum of what counts toward the cap from refunds in the rolling 12 months that end at t: after t − 12 months (calendar arithmetic). */
export function capUsed(refunds: ReadonlyArray<{ at: number; countedCents: number }>, t: number): number {
  const windowStart = addMonths(t, -12);
  return refunds
    .filter((refund) => refund.at <= t && refund.at > windowStart)
    .reduce((sum, refund) => sum + refund.countedCents, 0);
}

// ---------------------------------------------------------------- the walk

interface LifeState {
  life: Life;
  result: LifeResult;
  subscriptions: number;
  nextReservation: number;
  nextOrder: number;
  labels: Map<string, string>;
  /** Actions at an instant, in the order given; those relative to an expiry join once it is known. */
  pending: Array<{ at: number; seq: number; action: Action }>;
  seq: number;
}

export function runModel(world: World): ModelRun {
  const market = new Market(world.catalogChanges);
  const start = at(world.start);
  const end = at(world.end);
  const paths = new Set<Path>();
  const ambiguities: string[] = [];
  const states: LifeState[] = world.lives.map((life) => ({
    life,
    subscriptions: life.subscriptions ?? 1,
    result: {
      key: life.key,
      subscriptions: life.subscriptions ?? 1,
      reservations: new Map(),
      payments: [],
      lines: [],
      statements: [],
      coverage: new Map(),
      refunds: [],
      refusals: [],
      skipped: [],
    },
    nextReservation: 1,
    nextOrder: 1,
    labels: new Map(),
    pending: [],
    seq: 0,
  }));
  for (const state of states)
    for (const action of state.life.actions) {
      if ('at' in action) state.pending.push({ at: at(action.at), seq: state.seq++, action });
    }
  const moments: Moment[] = [];
  let now = start;

  const line = (
    state: LifeState,
    reservation: ModelReservation,
    kind: LineKind,
    date: number,
    recordedAt: number,
    quantity: number,
    amountCents: number,
  ) => {
    // "One line per charge or credit": a refund that comes to nothing (a monthly return paid nothing ahead) is neither.
    if (amountCents === 0) return;
    const dateMonth = monthOf(date);
    const late = recordedAt >= monthCloses(dateMonth);
    state.result.lines.push({
      kind,
      date,
      recordedAt,
      month: late ? monthOf(recordedAt) : dateMonth,
      late,
      reservation: reservation.id,
      order: reservation.order,
      subscription: reservation.subscription,
      quantity,
      // Half a cent rounds away from zero, for a credit as for a charge.
      unitCents: Math.sign(amountCents) * Math.round(Math.abs(amountCents) / quantity),
      amountCents,
    });
  };

  const recordPayment = (
    state: LifeState,
    reservation: ModelReservation,
    number: number,
    due: number,
    recordedAt: number,
  ) => {
    const n = reservation.plan === 'Upfront' ? 1 : TERM_MONTHS[reservation.term];
    const unitCents =
      reservation.plan === 'Upfront' ? reservation.unitCents : paymentPerUnit(reservation.unitCents, n, number);
    const amountCents = unitCents * reservation.quantity;
    state.result.payments.push({
      reservation: reservation.id,
      number,
      due,
      recordedAt,
      quantity: reservation.quantity,
      unitCents,
      amountCents,
    });
    reservation.paidThrough = number;
    return { unitCents, amountCents };
  };

  /** A new reservation, its first payment recorded as it is provisioned (purchases, renewals, exchanges). */
  const create = (
    state: LifeState,
    fields: Omit<
      ModelReservation,
      'id' | 'status' | 'segments' | 'firstPayment' | 'paidThrough' | 'autoRenewTouched' | 'chain' | 'flexibilityGroup'
    > & {
      chain?: string;
      firstPayment?: number;
    },
  ): ModelReservation => {
    const id = `R${state.nextReservation++}`;
    const item = catalogItem(fields.catalogItemId);
    const first = fields.firstPayment ?? 1;
    if (fields.label) state.labels.set(fields.label, id);
    const reservation: ModelReservation = {
      ...fields,
      id,
      chain: fields.chain ?? id,
      flexibilityGroup: item.flexibilityGroup,
      status: 'active',
      segments: [],
      firstPayment: first,
      paidThrough: first - 1,
      autoRenewTouched: false,
    };
    state.result.reservations.set(id, reservation);
    return reservation;
  };

  /** Segments are closed as quantity changes; the open one ends at the reservation's end. */
  const hold = (reservation: ModelReservation, from: number, quantity: number) => {
    const open = reservation.segments[reservation.segments.length - 1];
    if (open && open.to === Number.POSITIVE_INFINITY) open.to = from;
    if (quantity > 0) reservation.segments.push({ from, to: Number.POSITIVE_INFINITY, quantity });
  };
  const stop = (reservation: ModelReservation, t: number, status: ModelReservation['status']) => {
    reservation.status = status;
    reservation.endedAt = t;
    hold(reservation, t, 0);
  };

  /** Actions relative to a reservation's expiry join the timeline once it exists. */
  const scheduleRelative = (state: LifeState, reservation: ModelReservation) => {
    for (const action of state.life.actions) {
      if (
        !('beforeExpiry' in action) ||
        (action.beforeExpiry !== reservation.id && action.beforeExpiry !== `@${reservation.label}`)
      )
        continue;
      const when = reservation.end - action.beforeMs;
      if (when <= now)
        state.result.skipped.push({
          at: when,
          type: action.type,
          why: `${reservation.id} came to exist after ${iso(when)}`,
        });
      else state.pending.push({ at: when, seq: state.seq++, action });
    }
  };

  const renewalItem = (reservation: ModelReservation) =>
    itemForTerm(catalogItem(reservation.catalogItemId), renewalSettings(reservation).term);
  const renewalSettings = (reservation: ModelReservation) =>
    reservation.settings ?? { quantity: reservation.quantity, term: reservation.term, plan: reservation.plan };
  const inLockWindow = (reservation: ModelReservation, t: number) => t >= reservation.end - 30 * DAY;

  // ---- the lifecycle pass

  const pass = (state: LifeState, p: number, events: PassEvent[]) => {
    for (const reservation of [...state.result.reservations.values()]) {
      if (reservation.status !== 'active') continue;
      if (reservation.plan === 'Monthly') {
        const n = TERM_MONTHS[reservation.term];
        while (reservation.paidThrough < n && addMonths(reservation.start, reservation.paidThrough) <= p) {
          const number = reservation.paidThrough + 1;
          const due = addMonths(reservation.start, number - 1);
          const { amountCents } = recordPayment(state, reservation, number, due, p);
          line(state, reservation, 'monthlyPayment', due, p, reservation.quantity, amountCents);
        }
      }
      if (reservation.autoRenew && !reservation.lock && inLockWindow(reservation, p)) {
        reservation.lock = { cents: market.price(renewalItem(reservation).id, p), at: p, by: 'pass' };
        events.push({
          at: p,
          life: state.life.key,
          type: 'locked',
          reservation: reservation.id,
          cents: reservation.lock.cents,
        });
        paths.add('priceLocked');
      }
      if (p < reservation.end) continue;
      const expiry = reservation.end;
      if (reservation.autoRenew) {
        const settings = renewalSettings(reservation);
        const item = renewalItem(reservation);
        for (const change of market.changesWithin(item.id, expiry, p))
          ambiguities.push(
            `${state.life.key} ${reservation.id}: ${item.id} changes at ${iso(change)}, between its expiry ${iso(expiry)} and the pass at ${iso(p)}`,
          );
        if (!market.onSale(item.id, expiry)) {
          reservation.renewalFailed = { at: p, reason: `${item.id} is no longer sold` };
          events.push({ at: p, life: state.life.key, type: 'renewalFailed', reservation: reservation.id });
          paths.add('renewalFailedWithdrawn');
        } else {
          const marketCents = market.price(item.id, expiry);
          const unitCents = reservation.lock ? Math.min(reservation.lock.cents, marketCents) : marketCents;
          if (reservation.lock && reservation.lock.cents < marketCents) paths.add('lockBelowMarket');
          if (reservation.lock && reservation.lock.cents > marketCents) paths.add('marketBelowLock');
          if (reservation.lock?.by === 'autoRenewOn') paths.add('lockedByAutoRenewOn');
          const order = `O${state.nextOrder++}`;
          const renewed = create(state, {
            order,
            line: 1,
            chain: reservation.chain,
            catalogItemId: item.id,
            armSkuName: item.armSkuName,
            region: item.region,
            term: settings.term,
            plan: settings.plan,
            unitCents,
            start: expiry,
            end: addMonths(expiry, TERM_MONTHS[settings.term]),
            quantity: settings.quantity,
            autoRenew: true,
            origin: { type: 'renewal', from: [reservation.id] },
            subscription: reservation.subscription,
          });
          hold(renewed, expiry, renewed.quantity);
          const first = recordPayment(state, renewed, 1, expiry, p);
          line(
            state,
            renewed,
            renewed.plan === 'Upfront' ? 'renewalPurchase' : 'monthlyPayment',
            expiry,
            p,
            renewed.quantity,
            first.amountCents,
          );
          reservation.renewal = {
            id: renewed.id,
            unitCents,
            term: settings.term,
            quantity: settings.quantity,
            plan: settings.plan,
            at: p,
          };
          events.push({ at: p, life: state.life.key, type: 'renewed', from: reservation.id, to: renewed.id });
          paths.add('renewal');
          if (settings.term !== reservation.term) paths.add('renewalTermChanged');
          if (settings.plan === 'Monthly') paths.add('renewalMonthly');
          if (market.changed(item.id, expiry)) paths.add('priceChange');
          scheduleRelative(state, renewed);
        }
      } else if (reservation.autoRenewTouched) paths.add('autoRenewOffAtExpiry');
      reservation.status = 'expired';
      reservation.endedAt = expiry;
      hold(reservation, expiry, 0);
      events.push({ at: p, life: state.life.key, type: 'expired', reservation: reservation.id });
    }
  };

  // ---- the actions

  const active = (state: LifeState) =>
    [...state.result.reservations.values()].filter((reservation) => reservation.status === 'active');
  const resolve = (
    state: LifeState,
    ref: Ref,
    filter: (reservation: ModelReservation) => boolean = () => true,
  ): ModelReservation | undefined => {
    if (typeof ref === 'string') {
      const reservation = state.result.reservations.get(
        ref.startsWith('@') ? (state.labels.get(ref.slice(1)) ?? ref) : ref,
      );
      return reservation && reservation.status === 'active' && filter(reservation) ? reservation : undefined;
    }
    const candidates = active(state).filter(filter);
    return candidates.length ? candidates[ref.pick % candidates.length] : undefined;
  };
  const quantityOf = (held: number, quantity: number | { fraction: number }) =>
    typeof quantity === 'number' ? quantity : Math.min(held, Math.max(1, Math.round(quantity.fraction * held)));

  const act = (state: LifeState, t: number, action: Action, steps: Step[]) => {
    const base = { at: t, life: state.life.key };
    const skip = (why: string) => state.result.skipped.push({ at: t, type: action.type, why });
    const refuse = (code: Code) => {
      state.result.refusals.push({ at: t, type: action.type, code });
      return { refused: code } as Outcome;
    };
    switch (action.type) {
      case 'purchase': {
        const order = `O${state.nextOrder++}`;
        const lines: Array<PurchaseLine & { reservation: string; autoRenew: boolean; subscription: number }> = [];
        action.lines.forEach((purchased, index) => {
          const item = catalogItem(purchased.catalogItemId);
          if (!market.onSale(item.id, t))
            throw new Error(
              `${state.life.key}: ${item.id} is withdrawn at ${iso(t)}; a generated purchase must not name it`,
            );
          const unitCents = market.price(item.id, t);
          const reservation = create(state, {
            order,
            line: index + 1,
            catalogItemId: item.id,
            armSkuName: item.armSkuName,
            region: item.region,
            term: item.term,
            plan: purchased.billingPlan,
            unitCents,
            start: t,
            end: addMonths(t, TERM_MONTHS[item.term]),
            quantity: purchased.quantity,
            autoRenew: purchased.autoRenew ?? true,
            origin: { type: 'purchase', from: [] },
            subscription: (purchased.subscription ?? 0) % state.subscriptions,
            label: purchased.label,
          });
          hold(reservation, t, reservation.quantity);
          const first = recordPayment(state, reservation, 1, t, t);
          line(
            state,
            reservation,
            reservation.plan === 'Upfront' ? 'purchase' : 'monthlyPayment',
            t,
            t,
            reservation.quantity,
            first.amountCents,
          );
          paths.add(reservation.plan === 'Upfront' ? 'purchaseUpfront' : 'purchaseMonthly');
          if (market.changed(item.id, t)) paths.add('priceChange');
          lines.push({
            ...purchased,
            reservation: reservation.id,
            autoRenew: reservation.autoRenew,
            subscription: reservation.subscription,
          });
          scheduleRelative(state, reservation);
        });
        steps.push({ ...base, type: 'purchase', order, lines, expect: { ok: true } });
        return;
      }
      case 'lateChange': {
        const expired = [...state.result.reservations.values()].filter(
          (reservation) => reservation.status === 'expired',
        );
        if (!expired.length) return skip('no reservation has expired');
        const reservation = expired[action.pickExpired % expired.length];
        const expect = refuse('RESERVATION_EXPIRED');
        paths.add('reservationExpired');
        if (action.change === 'autoRenew')
          steps.push({
            ...base,
            type: 'autoRenew',
            reservation: reservation.id,
            autoRenew: !reservation.autoRenew,
            expect,
          });
        else
          steps.push({
            ...base,
            type: 'renewalSettings',
            reservation: reservation.id,
            quantity: reservation.quantity + 1,
            term: reservation.term,
            billingPlan: reservation.plan,
            expect,
          });
        return;
      }
      case 'autoRenew': {
        const reservation = resolve(state, action.reservation);
        if (!reservation) return skip('no such active reservation');
        steps.push({
          ...base,
          type: 'autoRenew',
          reservation: reservation.id,
          autoRenew: action.autoRenew,
          expect: { ok: true },
        });
        reservation.autoRenewTouched = true;
        if (reservation.autoRenew === action.autoRenew) return;
        reservation.autoRenew = action.autoRenew;
        if (!action.autoRenew) {
          reservation.lock = undefined;
          if (reservation.end - t <= DAY) paths.add('autoRenewOffDayBeforeExpiry');
        } else if (inLockWindow(reservation, t))
          reservation.lock = { cents: market.price(renewalItem(reservation).id, t), at: t, by: 'autoRenewOn' };
        return;
      }
      case 'renewalSettings': {
        const reservation = resolve(state, action.reservation);
        if (!reservation) return skip('no such active reservation');
        const current = renewalSettings(reservation);
        const next = {
          quantity: action.quantity ?? current.quantity,
          term: action.term ?? current.term,
          plan: action.billingPlan ?? current.plan,
        };
        // A change that changes nothing is no change: make it one, so each step tests something.
        if (next.quantity === current.quantity && next.term === current.term && next.plan === current.plan)
          next.term = next.term === 'P1Y' ? 'P3Y' : 'P1Y';
        steps.push({
          ...base,
          type: 'renewalSettings',
          reservation: reservation.id,
          quantity: next.quantity,
          term: next.term,
          billingPlan: next.plan,
          expect: { ok: true },
        });
        reservation.settings = next;
        if (reservation.autoRenew && inLockWindow(reservation, t)) {
          if (reservation.lock) paths.add('settingsChangedAfterLock');
          reservation.lock = { cents: market.price(renewalItem(reservation).id, t), at: t, by: 'settings' };
        }
        return;
      }
      case 'return':
      case 'cancel': {
        const reservation = resolve(state, action.reservation);
        if (!reservation) return skip('no such active reservation');
        const quantity =
          action.type === 'cancel'
            ? reservation.quantity
            : Math.min(reservation.quantity, quantityOf(reservation.quantity, action.quantity));
        const figures = refundOf(reservation, quantity, t, market);
        const step = { ...base, type: action.type, reservation: reservation.id, quantity, ...figures };
        if (capUsed(state.result.refunds, t) + figures.countedCents > CAP_CENTS) {
          paths.add('refundCapExceeded');
          steps.push({ ...step, expect: refuse('REFUND_CAP_EXCEEDED') });
          return;
        }
        steps.push({ ...step, expect: { ok: true } });
        state.result.refunds.push({ at: t, countedCents: figures.countedCents, refundCents: figures.refundCents });
        line(state, reservation, 'refund', t, t, quantity, -figures.refundCents);
        paths.add(action.type === 'cancel' || quantity === reservation.quantity ? 'cancel' : 'return');
        if (reservation.plan === 'Monthly') paths.add('returnMonthly');
        if (market.changed(reservation.catalogItemId, t)) paths.add('priceChange');
        reservation.quantity -= quantity;
        if (reservation.quantity === 0) {
          reservation.quantity = quantity;
          stop(reservation, t, 'cancelled');
        } else hold(reservation, t, reservation.quantity);
        return;
      }
      case 'split': {
        const reservation = resolve(state, action.reservation, (candidate) => candidate.quantity >= 2);
        if (!reservation) return skip('no active reservation of two or more');
        const quantities: [number, number] = action.quantities ?? [1, reservation.quantity - 1];
        if (quantities[0] + quantities[1] !== reservation.quantity)
          throw new Error(`split ${reservation.id}: ${quantities.join('+')} ≠ ${reservation.quantity}`);
        const parts = quantities.map((quantity, index) =>
          create(state, {
            ...partOf(reservation),
            line: index + 1,
            quantity,
            origin: { type: 'split', from: [reservation.id] },
            label: action.labels?.[index],
          }),
        ) as [ModelReservation, ModelReservation];
        stop(reservation, t, 'split');
        for (const part of parts) {
          hold(part, t, part.quantity);
          scheduleRelative(state, part);
        }
        steps.push({
          ...base,
          type: 'split',
          reservation: reservation.id,
          quantities,
          creates: [parts[0].id, parts[1].id],
          expect: { ok: true },
        });
        paths.add('split');
        return;
      }
      case 'merge':
      case 'mergeAny': {
        let sources: ModelReservation[] | undefined;
        if (action.type === 'merge') {
          sources = action.reservations
            .map((ref) => resolve(state, ref))
            .filter((found): found is ModelReservation => found !== undefined);
          if (sources.length !== action.reservations.length) return skip('a source is not active');
        } else {
          const groups = new Map<string, ModelReservation[]>();
          for (const reservation of active(state)) {
            const key = [
              reservation.order,
              reservation.catalogItemId,
              reservation.plan,
              reservation.start,
              reservation.end,
              reservation.unitCents,
            ].join('|');
            groups.set(key, [...(groups.get(key) ?? []), reservation]);
          }
          const mergeable = [...groups.values()].filter((group) => group.length >= 2);
          if (!mergeable.length) return skip('nothing to merge');
          sources = mergeable[action.pick % mergeable.length];
        }
        const first = sources[0];
        const merged = create(state, {
          ...partOf(first),
          line: undefined,
          quantity: sources.reduce((sum, source) => sum + source.quantity, 0),
          origin: { type: 'merge', from: sources.map((source) => source.id) },
          label: action.type === 'merge' ? action.label : undefined,
        });
        for (const source of sources) stop(source, t, 'merged');
        hold(merged, t, merged.quantity);
        scheduleRelative(state, merged);
        steps.push({
          ...base,
          type: 'merge',
          reservations: sources.map((source) => source.id),
          creates: merged.id,
          expect: { ok: true },
        });
        paths.add('merge');
        return;
      }
      case 'exchange':
      case 'exchangeAny': {
        const plan = planExchange(state, action, t);
        if (!plan) return skip('nothing to exchange');
        const { returns, item, quantity, billingPlan } = plan;
        const unitCents = market.price(item.id, t);
        const figures = returns.map(({ reservation, quantity: units }) => ({
          reservation,
          units,
          ...refundOf(reservation, units, t, market),
        }));
        const commitment = unitCents * quantity;
        const remaining = figures.reduce((sum, figure) => sum + figure.remainingCents, 0);
        const refunds = figures.reduce((sum, figure) => sum + figure.refundCents, 0);
        const firstCharge =
          billingPlan === 'Upfront' ? commitment : paymentPerUnit(unitCents, TERM_MONTHS[item.term], 1) * quantity;
        const step = {
          ...base,
          type: 'exchange' as const,
          returns: figures.map((figure) => ({
            reservation: figure.reservation.id,
            quantity: figure.units,
            refundCents: figure.refundCents,
            remainingCents: figure.remainingCents,
          })),
          purchase: { catalogItemId: item.id, quantity, billingPlan, unitCents },
          amountDueCents: firstCharge - refunds,
        };
        if (returns.some(({ reservation }) => reservation.start >= EXCHANGE_POLICY_END)) {
          paths.add('exchangeNotEligible');
          steps.push({ ...step, expect: refuse('EXCHANGE_NOT_ELIGIBLE') });
          return;
        }
        if (commitment < remaining) {
          paths.add('exchangeValueTooLow');
          steps.push({ ...step, expect: refuse('EXCHANGE_VALUE_TOO_LOW') });
          return;
        }
        const first = returns[0].reservation;
        for (const figure of figures) {
          line(state, figure.reservation, 'exchangeRefund', t, t, figure.units, -figure.refundCents);
          const left = figure.reservation.quantity - figure.units;
          if (left === 0) stop(figure.reservation, t, 'exchanged');
          else {
            figure.reservation.quantity = left;
            hold(figure.reservation, t, left);
          }
        }
        const bought = create(state, {
          order: first.order,
          catalogItemId: item.id,
          armSkuName: item.armSkuName,
          region: item.region,
          term: item.term,
          plan: billingPlan,
          unitCents,
          start: t,
          end: addMonths(t, TERM_MONTHS[item.term]),
          quantity,
          autoRenew: first.autoRenew,
          origin: { type: 'exchange', from: returns.map(({ reservation }) => reservation.id) },
          subscription: first.subscription,
          label: action.type === 'exchange' ? action.label : undefined,
        });
        hold(bought, t, quantity);
        const paid = recordPayment(state, bought, 1, t, t);
        line(
          state,
          bought,
          billingPlan === 'Upfront' ? 'exchangePurchase' : 'monthlyPayment',
          t,
          t,
          quantity,
          paid.amountCents,
        );
        steps.push({ ...step, creates: bought.id, expect: { ok: true } });
        paths.add('exchange');
        if (returns.length > 1) paths.add('exchangeSeveral');
        if (returns.some(({ reservation }) => reservation.plan === 'Monthly')) paths.add('exchangeMonthly');
        if (market.changed(item.id, t)) paths.add('priceChange');
        scheduleRelative(state, bought);
        return;
      }
    }
  };

  /** A split or merged part: the source's item, term, schedule and price; auto-renew off until turned on. */
  const partOf = (source: ModelReservation) => ({
    order: source.order,
    chain: source.chain,
    catalogItemId: source.catalogItemId,
    armSkuName: source.armSkuName,
    region: source.region,
    term: source.term,
    plan: source.plan,
    unitCents: source.unitCents,
    start: source.start,
    end: source.end,
    autoRenew: false,
    subscription: source.subscription,
    firstPayment: source.plan === 'Monthly' ? source.paidThrough + 1 : 2,
  });

  const planExchange = (
    state: LifeState,
    action: Extract<ActionBody, { type: 'exchange' | 'exchangeAny' }>,
    t: number,
  ) => {
    if (action.type === 'exchange') {
      const returns = action.returns.map(({ reservation: ref, quantity }) => {
        const reservation = resolve(state, ref);
        return reservation && { reservation, quantity: quantityOf(reservation.quantity, quantity) };
      });
      if (returns.some((found) => !found)) return undefined;
      const item = catalogItem(action.purchase.catalogItemId);
      return {
        returns: returns as Array<{ reservation: ModelReservation; quantity: number }>,
        item,
        quantity: action.purchase.quantity,
        billingPlan: action.purchase.billingPlan,
      };
    }
    const primary = resolve(state, { pick: action.pick });
    if (!primary) return undefined;
    const sameGroup = (other: ModelReservation) =>
      other.region === primary.region && other.flexibilityGroup === primary.flexibilityGroup;
    const returns = [{ reservation: primary, quantity: quantityOf(primary.quantity, { fraction: action.fraction }) }];
    if (action.second !== undefined) {
      const others = active(state).filter((other) => other !== primary && sameGroup(other));
      if (others.length) {
        const second = others[action.second % others.length];
        returns.push({ reservation: second, quantity: quantityOf(second.quantity, { fraction: action.fraction }) });
      }
    }
    const sizes = CATALOG.filter(
      (item) =>
        item.region === primary.region &&
        item.flexibilityGroup === primary.flexibilityGroup &&
        item.term === action.term &&
        returns.every(({ reservation }) => item.armSkuName !== reservation.armSkuName) &&
        market.onSale(item.id, t),
    ).sort((a, b) => a.ratio - b.ratio);
    if (!sizes.length) return undefined;
    const item = sizes[action.size % sizes.length];
    const remaining = returns.reduce(
      (sum, { reservation, quantity }) => sum + refundOf(reservation, quantity, t, market).remainingCents,
      0,
    );
    const quantity = Math.max(1, Math.min(8, Math.ceil((action.valueFactor * remaining) / market.price(item.id, t))));
    return { returns, item, quantity, billingPlan: action.billingPlan };
  };

  // ---- the timeline: every action's instant is a move of the clock

  for (;;) {
    const next = Math.min(...states.flatMap((state) => state.pending.map((pending) => pending.at)), end);
    if (next < now) throw new Error(`an action at ${iso(next)} comes before the clock, at ${iso(now)}`);
    const moment: Moment = { at: next, passEvents: [], steps: [] };
    for (const p of passesBetween(now, next)) for (const state of states) pass(state, p, moment.passEvents);
    now = next;
    for (const state of states) {
      for (;;) {
        const due = state.pending.filter((pending) => pending.at === now).sort((a, b) => a.seq - b.seq)[0];
        if (!due) break;
        state.pending.splice(state.pending.indexOf(due), 1);
        act(state, now, due.action, moment.steps);
      }
      // Anything later than the world's end never happens.
      state.pending = state.pending.filter((pending) => pending.at <= end);
    }
    // Every instant is a move, even when its actions found nothing: the pass at the move's target counts.
    moments.push(moment);
    if (next === end) break;
  }
  if (world.catalogChanges.some((change) => 'withdrawn' in change && at(change.from) <= end))
    paths.add('withdrawnItem');

  for (const state of states) {
    const { result } = state;
    for (const reservation of result.reservations.values()) {
      const open = reservation.segments[reservation.segments.length - 1];
      if (open && open.to === Number.POSITIVE_INFINITY) open.to = reservation.end;
    }
    result.coverage = coverageOf([...result.reservations.values()]);
    result.statements = statementsOf(result.lines, monthOf(start), monthOf(end), end, state.subscriptions);
  }
  return { world, moments, lives: states.map((state) => state.result), paths, ambiguities };
}

/** Per chain, the VMs held at each instant, as [from, to) intervals of constant quantity (zero-quantity gaps left out). */
export function coverageOf(reservations: ModelReservation[]): Map<string, Segment[]> {
  const byChain = new Map<string, Segment[]>();
  for (const reservation of reservations)
    byChain.set(reservation.chain, [...(byChain.get(reservation.chain) ?? []), ...reservation.segments]);
  const coverage = new Map<string, Segment[]>();
  for (const [chain, segments] of byChain) coverage.set(chain, flatten(segments));
  return coverage;
}

/** Sums overlapping segments into consecutive intervals of constant quantity. */
export function flatten(segments: Segment[]): Segment[] {
  const instants = [...new Set(segments.flatMap((segment) => [segment.from, segment.to]))].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < instants.length; i++) {
    const [from, to] = [instants[i], instants[i + 1]];
    const quantity = segments
      .filter((segment) => segment.from <= from && segment.to >= to)
      .reduce((sum, segment) => sum + segment.quantity, 0);
    if (quantity === 0) continue;
    const last = out[out.length - 1];
    if (last && last.to === from && last.quantity === quantity) last.to = to;
    else out.push({ from, to, quantity });
  }
  return out;
}

const totalsOf = (lines: Line[]): Totals => {
  const chargesCents = lines.filter((line) => line.amountCents > 0).reduce((sum, line) => sum + line.amountCents, 0);
  const creditsCents = lines.filter((line) => line.amountCents < 0).reduce((sum, line) => sum + line.amountCents, 0);
  return { chargesCents, creditsCents, netCents: chargesCents + creditsCents };
};

/** Every month from the first to the last, each with its lines and totals, closed once its close has passed at `now`. */
export function statementsOf(
  lines: Line[],
  firstMonth: string,
  lastMonth: string,
  now: number,
  subscriptions: number,
): Statement[] {
  const statements: Statement[] = [];
  for (let month = firstMonth; month <= lastMonth; month = nextMonth(month)) {
    const inMonth = lines
      .filter((line) => line.month === month)
      .sort((a, b) => a.date - b.date || a.recordedAt - b.recordedAt);
    const perSubscription: Record<number, Totals> = {};
    for (let subscription = 0; subscription < subscriptions; subscription++) {
      const own = inMonth.filter((line) => line.subscription === subscription);
      if (own.length) perSubscription[subscription] = totalsOf(own);
    }
    statements.push({
      month,
      closed: now >= monthCloses(month),
      lines: inMonth,
      totals: { ...totalsOf(inMonth), subscriptions: perSubscription },
    });
  }
  return statements;
}
