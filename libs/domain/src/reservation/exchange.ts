import { BillingPlan, CatalogItem, normalizeRegion, TERM_MONTHS } from '../catalog/catalog-item';
import { DomainError, ruleViolated } from '../shared/domain-error';
import { cents, usd } from '../shared/money';
import { monthlyCancellation } from './payment-schedule';
import { refundQuote } from './refund-quote';
import { ActiveReservation, termStartOf } from './reservation';

/**
 * Which reservations may be exchanged depends on when they were bought, and
 * Microsoft changes it by date: a table, read by purchase date, not a
 * constant. Each row names its source.
 */
export interface ExchangePolicy {
  id: string;
  /** Reservations bought at or after this instant (inclusive) and before `purchasedBefore` follow this row. */
  purchasedFrom?: string;
  purchasedBefore?: string;
  /** What an eligible reservation may be exchanged for; `none`: it cannot be exchanged. */
  allows: 'same-flexibility-group-and-region' | 'none';
  description: string;
}

export const EXCHANGE_POLICIES: readonly ExchangePolicy[] = [
  {
    id: 'vm-size-flexibility-2024',
    purchasedBefore: '2027-02-01T00:00:00.000Z',
    allows: 'same-flexibility-group-and-region',
    description:
      'Since 2024 a VM reservation can change size within its instance size flexibility group; series and region changes need a trade-in to a savings plan',
  },
  {
    id: 'savings-plan-services-2027',
    purchasedFrom: '2027-02-01T00:00:00.000Z',
    allows: 'none',
    description:
      'Reservations bought on or after 2027-02-01 for a service savings plans support (Virtual Machines included) cannot be exchanged',
  },
];

/** The policy a reservation bought at `purchasedAt` follows. */
export function exchangePolicyFor(
  purchasedAt: string,
  policies: readonly ExchangePolicy[] = EXCHANGE_POLICIES,
): ExchangePolicy {
  const at = Date.parse(purchasedAt);
  const policy = policies.find(
    (row) =>
      (row.purchasedFrom === undefined || at >= Date.parse(row.purchasedFrom)) &&
      (row.purchasedBefore === undefined || at < Date.parse(row.purchasedBefore)),
  );
  if (!policy) throw new Error(`no exchange policy covers a purchase at ${purchasedAt}`);
  return policy;
}

/** What an exchange buys: a size of the catalog as sold at the exchange, how many, and the billing plan. */
export interface ExchangePurchase {
  item: Pick<CatalogItem, 'id' | 'armSkuName' | 'region' | 'flexibilityGroup' | 'ratio' | 'term' | 'unitPriceUsd'>;
  quantity: number;
  billingPlan: BillingPlan;
}

/** Refused unless the source's policy lets it be exchanged for that purchase. */
export function checkExchangeable(source: ActiveReservation, purchase: Pick<ExchangePurchase, 'item'>): void {
  const policy = exchangePolicyFor(termStartOf(source));
  if (policy.allows === 'none') {
    throw new DomainError(
      'EXCHANGE_NOT_ELIGIBLE',
      `reservation ${source.reservationId}, bought ${termStartOf(source)}, cannot be exchanged: ${policy.description} (policy ${policy.id})`,
      'rule',
      { policy: policy.id },
    );
  }
  const { item } = purchase;
  if (
    item.flexibilityGroup !== source.flexibilityGroup ||
    normalizeRegion(item.region) !== normalizeRegion(source.region)
  ) {
    throw new DomainError(
      'EXCHANGE_NOT_ALLOWED',
      `a reservation of ${source.flexibilityGroup} in ${source.region} can be exchanged only for a size of the same flexibility group in the same region; ${item.armSkuName} in ${item.region} is ${item.flexibilityGroup} (policy ${policy.id})`,
      'rule',
      { policy: policy.id },
    );
  }
}

export interface ValueReturned {
  /** Money credited for the units given back: what a return of them would refund. */
  refundUsd: number;
  /** The commitment given back, which the purchase must at least make good: upfront, that refund; monthly, the leftover payments cancelled. */
  remainingCommitmentUsd: number;
}

/**
 * What giving back `units` of a reservation is worth in an exchange, as of
 * `now`, its monthly payments due by then counted as paid. Microsoft:
 * "for a three-year reservation that's $100 per month and exchanged after
 * the 18th payment, the new reservation's lifetime commitment should be
 * $1,800 or more".
 */
export function valueReturned(
  reservation: ActiveReservation,
  units: number,
  currentUnitPriceUsd: number,
  now: string,
): ValueReturned {
  if (reservation.billingPlan === 'Monthly') {
    const { refundUsd, cancelledFuturePaymentsUsd } = monthlyCancellation(reservation, currentUnitPriceUsd, now, units);
    return { refundUsd, remainingCommitmentUsd: cancelledFuturePaymentsUsd };
  }
  const { refundUsd } = refundQuote(reservation, currentUnitPriceUsd, now, units);
  return { refundUsd, remainingCommitmentUsd: refundUsd };
}

export interface ExchangeFigures {
  /** The purchase's lifetime commitment: unit price × quantity. */
  newCommitmentUsd: number;
  /** What the purchase charges at the exchange: all of it upfront, the first payment monthly. */
  chargedNowUsd: number;
  refundUsd: number;
  remainingCommitmentUsd: number;
  /** Charged now less the refunds: what the customer pays at the exchange (negative: a net credit). */
  amountDueUsd: number;
}

/** The exchange's money as a whole, from what each returned reservation is worth; refused when the purchase is worth less than what is given back. */
export function exchangeFigures(returned: readonly ValueReturned[], purchase: ExchangePurchase): ExchangeFigures {
  const unitCents = cents(purchase.item.unitPriceUsd);
  const newCommitmentCents = unitCents * purchase.quantity;
  const chargedNowCents =
    purchase.billingPlan === 'Monthly'
      ? Math.floor(unitCents / TERM_MONTHS[purchase.item.term]) * purchase.quantity
      : newCommitmentCents;
  const refundCents = returned.reduce((total, value) => total + cents(value.refundUsd), 0);
  const remainingCents = returned.reduce((total, value) => total + cents(value.remainingCommitmentUsd), 0);
  if (newCommitmentCents < remainingCents) throw new ExchangeValueTooLow(usd(remainingCents), usd(newCommitmentCents));
  return {
    newCommitmentUsd: usd(newCommitmentCents),
    chargedNowUsd: usd(chargedNowCents),
    refundUsd: usd(refundCents),
    remainingCommitmentUsd: usd(remainingCents),
    amountDueUsd: usd(chargedNowCents - refundCents),
  };
}

/** An exchange must buy at least the commitment it gives back: Azure refuses one that would turn a commitment into a refund. */
export class ExchangeValueTooLow extends DomainError {
  constructor(returnedValueUsd: number, newCommitmentUsd: number) {
    super(
      'EXCHANGE_VALUE_TOO_LOW',
      `the new reservation's lifetime commitment, USD ${newCommitmentUsd.toFixed(2)}, is less than the remaining commitment returned, USD ${returnedValueUsd.toFixed(2)}`,
      'rule',
      { returnedValueUsd, newCommitmentUsd },
    );
  }
}

/** Exchanges return units of reservations of one customer, each once. */
export function checkExchangeSources(
  sources: ReadonlyArray<{ reservation: ActiveReservation; quantity: number }>,
): void {
  if (sources.length === 0)
    throw ruleViolated('EXCHANGE_RETURNS_NOTHING', 'an exchange returns at least one reservation');
  const ids = sources.map((source) => source.reservation.reservationId);
  if (new Set(ids).size !== ids.length)
    throw ruleViolated(
      'EXCHANGE_RETURNS_TWICE',
      'each reservation is returned once in an exchange; give its whole quantity once',
    );
  const customers = new Set(sources.map((source) => source.reservation.customerId));
  if (customers.size > 1)
    throw ruleViolated('EXCHANGE_ACROSS_CUSTOMERS', 'an exchange returns reservations of one customer');
}
