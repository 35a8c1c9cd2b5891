import { ruleViolated } from '../shared/domain-error';
import { cents, usd } from '../shared/money';
import type { ExchangePurchase } from './exchange';
import { ActiveReservation, expiryFor, termStartOf } from './reservation';
import { ReservationProvisionedData, SplitPart } from './reservation.events';

/**
 * What a reservation derived from others keeps of them: what was bought
 * (order, SKU, term and its start, scope, billing, the payment schedule), not
 * what happened to the source since (its status, renewal, end). Id,
 * quantity, price and effective date are its own. It does not renew: in
 * Azure a split or a merge cancels the renewal.
 */
function derived(
  source: ActiveReservation,
  part: { reservationId: string; quantity: number; unitPriceUsd?: number },
  origin: ReservationProvisionedData['origin'],
  now: string,
): ReservationProvisionedData {
  const {
    orderId,
    orderNumber,
    lineNumber,
    customerId,
    partnerId,
    catalogItemId,
    armSkuName,
    region,
    flexibilityGroup,
    ratio,
  } = source;
  const { term, billingPlan, scope, appliedSubscriptionIds, billingSubscriptionId } = source;
  return {
    reservationId: part.reservationId,
    orderId,
    orderNumber,
    lineNumber,
    customerId,
    partnerId,
    catalogItemId,
    armSkuName,
    region,
    flexibilityGroup,
    ratio,
    quantity: part.quantity,
    term,
    billingPlan,
    scope,
    appliedSubscriptionIds,
    // It applies from the moment it exists; the source stopped applying then. The end date is the source's.
    effectiveDate: now,
    expiryDate: source.expiryDate,
    purchasedAt: termStartOf(source),
    ...(part.unitPriceUsd !== undefined ? { unitPriceUsd: part.unitPriceUsd } : {}),
    autoRenew: false,
    ...(billingSubscriptionId !== undefined ? { billingSubscriptionId } : {}),
    origin,
    // What the source paid is not paid again: an upfront price, or the months so far; the next month falls due when the source's would have.
    payments: {
      startDate: source.payments?.startDate ?? termStartOf(source),
      recorded: billingPlan === 'Monthly' ? (source.paymentsRecorded ?? 0) : 1,
    },
  };
}

/** The two reservations a split creates: same everything, the given quantities, the same end date. */
export const splitReservations = (
  source: ActiveReservation,
  into: SplitPart[],
  now: string,
): ReservationProvisionedData[] =>
  into.map((part) =>
    derived(
      source,
      { ...part, unitPriceUsd: source.unitPriceUsd },
      { type: 'split', reservationIds: [source.reservationId] },
      now,
    ),
  );

const MERGE_KEYS = ['customerId', 'armSkuName', 'region', 'term', 'billingPlan', 'expiryDate'] as const;

/**
 * The reservation a merge creates, after checking the sources may merge:
 * two or more, all still applying, of one customer, with the same SKU,
 * region, term, billing plan and end date. It takes the first source's scope
 * and the summed quantity, at the quantity-weighted purchase price.
 */
export function mergedReservation(
  sources: ActiveReservation[],
  targetReservationId: string,
  now: string,
): ReservationProvisionedData {
  if (new Set(sources.map((s) => s.reservationId)).size < 2)
    throw ruleViolated('MERGE_NEEDS_TWO', 'a merge takes two or more different reservations');
  const [first] = sources;
  for (const source of sources) {
    const differing = MERGE_KEYS.filter((key) => source[key] !== first[key]);
    if (differing.length > 0) {
      throw ruleViolated(
        'MERGE_MISMATCH',
        `reservation ${source.reservationId} differs from ${first.reservationId} in ${differing.join(', ')}; merged reservations must share SKU, region, term, billing plan and end date`,
      );
    }
  }
  // Monthly: the merged reservation goes on with one schedule, so the sources must be at the same point of the same one.
  const schedule = (source: ActiveReservation) =>
    `${source.payments?.startDate ?? termStartOf(source)}#${source.paymentsRecorded ?? 0}`;
  if (first.billingPlan === 'Monthly' && sources.some((source) => schedule(source) !== schedule(first))) {
    throw ruleViolated(
      'MERGE_MISMATCH',
      `reservations ${sources.map((s) => s.reservationId).join(', ')} are billed monthly on different schedules`,
    );
  }
  // A renewal bought for some sources and not others would leave part of the merged quantity renewing and part not.
  const renewed = sources.filter((source) => source.renewalOrderId);
  if (renewed.length > 0 && renewed.length < sources.length) {
    throw ruleViolated(
      'MERGE_MISMATCH',
      `the renewal of ${renewed.map((s) => s.reservationId).join(', ')} was bought already, not that of the others`,
    );
  }
  const quantity = sources.reduce((total, source) => total + source.quantity, 0);
  const priced = sources.every((source) => source.unitPriceUsd !== undefined);
  const unitPriceUsd = priced
    ? usd(Math.round(sources.reduce((total, s) => total + cents(s.unitPriceUsd!) * s.quantity, 0) / quantity))
    : undefined;
  // Renewed ahead by an older release for all or for none; the merged one does not renew either way.
  return derived(
    first,
    { reservationId: targetReservationId, quantity, unitPriceUsd },
    { type: 'merge', reservationIds: sources.map((s) => s.reservationId) },
    now,
  );
}

/**
 * The reservation an exchange buys, in the first returned reservation's
 * order, with its scope, billing subscription and renewal setting. Its term
 * starts at the exchange. What it may be is the exchange policy's to say
 * (`checkExchangeable`).
 */
export function exchangedReservation(
  source: ActiveReservation,
  purchase: ExchangePurchase & { reservationId: string },
  now: string,
  /** Every reservation the exchange gives back, the source first. */
  returnedIds: string[] = [source.reservationId],
): ReservationProvisionedData {
  const { item } = purchase;
  const {
    orderId,
    orderNumber,
    lineNumber,
    customerId,
    partnerId,
    scope,
    appliedSubscriptionIds,
    autoRenew,
    billingSubscriptionId,
  } = source;
  return {
    reservationId: purchase.reservationId,
    orderId,
    orderNumber,
    lineNumber,
    customerId,
    partnerId,
    catalogItemId: item.id,
    armSkuName: item.armSkuName,
    region: item.region,
    flexibilityGroup: item.flexibilityGroup,
    ratio: item.ratio,
    quantity: purchase.quantity,
    term: item.term,
    billingPlan: purchase.billingPlan,
    scope,
    appliedSubscriptionIds,
    effectiveDate: now,
    expiryDate: expiryFor(now, item.term),
    purchasedAt: now,
    unitPriceUsd: item.unitPriceUsd,
    autoRenew,
    ...(billingSubscriptionId ? { billingSubscriptionId } : {}),
    origin: { type: 'exchange', reservationIds: returnedIds },
  };
}
