import { BillingPlan, Term } from '../catalog/catalog-item';
import { addYears } from '../shared/calendar';
import { nextWholeHourMs } from '../shared/hours';
import { ProvisioningState, ReservationEvent, ReservationProvisionedData, SplitPart } from './reservation.events';

/**
 * A reservation as its events leave it, and what is read off it (its term,
 * what it held when). Deciders, the payment schedule and the changes made
 * from it all stand on this; it stands on nothing of theirs.
 */
export interface ActiveReservation extends ReservationProvisionedData {
  status: ProvisioningState;
  autoRenew: boolean;
  /** Fixed 30 days before expiry when auto-renew is on. */
  renewalUnitPriceUsd?: number;
  renewalOrderId?: string;
  /** The renewal decided at expiry: the order that buys the replacement (number absent on older events). */
  renewal?: { orderId: string; orderNumber: string; unitPriceUsd: number; renewedAt: string };
  /** What the renewal buys, when changed from the reservation's own quantity, term and billing plan. */
  renewalSettings?: { quantity: number; term: Term; billingPlan: BillingPlan };
  renewalFailure?: { reason: string; failedAt: string };
  /** When it stopped applying: cancelled, expired, split or merged. */
  endedAt?: string;
  splitInto?: SplitPart[];
  mergedInto?: string;
  /** The ledger refund its cancellation recorded. */
  cancellationId?: string;
  /** Quantities returned or exchanged while the rest stayed active, each under its ledger refund or exchange id. */
  returns?: Array<{ cancellationId: string; quantity: number; returnedAt: string }>;
  /** The reservation an exchange of all of it bought. */
  exchangedFor?: string;
  /** Each exchange made from it: the reservation bought, and the commitment returned for it. */
  exchanges?: Record<string, number>;
  /** Each exchange made from it: the reservation bought, and what it refunded and gave back (absent for older exchanges). */
  exchangedValues?: Record<string, { refundUsd: number; remainingCommitmentUsd: number }>;
  /** How many of its payments have been taken. */
  paymentsRecorded?: number;
  /** Held for an exchange decided on another order: what it gives back, worth what. */
  exchangeHold?: {
    exchangeId: string;
    quantity: number;
    refundUsd: number;
    remainingCommitmentUsd: number;
    heldAt: string;
  };
  /** Exchanges that released it (or never held it): a late hold for one of them is refused. */
  releasedExchanges?: string[];
}

export type Reservation = { status: 'none' } | ActiveReservation;

const TERM_YEARS = { P1Y: 1, P3Y: 3 } as const;

/** A reservation ends one or three years after it takes effect. */
export const expiryFor = (effectiveDate: string, term: 'P1Y' | 'P3Y') => addYears(effectiveDate, TERM_YEARS[term]);

/** When the term that ends at `expiryDate` began, for reservations recorded before they kept `purchasedAt`. */
export const termStartFor = (expiryDate: string, term: 'P1Y' | 'P3Y') => addYears(expiryDate, -TERM_YEARS[term]);

/** When a reservation's term began: its purchase (renewal, exchange), which a split or merged part keeps. */
export const termStartOf = (
  reservation: Pick<ReservationProvisionedData, 'purchasedAt' | 'expiryDate' | 'term' | 'origin' | 'effectiveDate'>,
) =>
  reservation.purchasedAt ??
  (reservation.origin?.type === 'split' || reservation.origin?.type === 'merge'
    ? termStartFor(reservation.expiryDate, reservation.term)
    : reservation.effectiveDate);

/** What quantityAt needs of a reservation. */
export interface HeldQuantity {
  quantity: number;
  returns?: ReadonlyArray<{ quantity: number; returnedAt: string }>;
}

/**
 * How many VMs a reservation covered in the hour starting at `hourMs`: what
 * it holds now, plus each quantity returned later. A return counts from the
 * next whole hour, as a scope change does, since usage is billed by the hour.
 */
export const quantityAt = (reservation: HeldQuantity, hourMs: number): number =>
  reservation.quantity +
  (reservation.returns ?? [])
    .filter((returned) => nextWholeHourMs(returned.returnedAt) > hourMs)
    .reduce((total, returned) => total + returned.quantity, 0);

/** The hours from which a reservation's quantity changed by a return, in order. */
export const returnHours = (reservation: Pick<HeldQuantity, 'returns'>): number[] =>
  [...new Set((reservation.returns ?? []).map((returned) => nextWholeHourMs(returned.returnedAt)))].sort(
    (a, b) => a - b,
  );

/** A reservation from its events. */
export const foldReservation = (events: readonly ReservationEvent[]): Reservation =>
  events.reduce(evolveReservation, { status: 'none' });

/** A reservation's events, folded. */
export function evolveReservation(state: Reservation, event: ReservationEvent): Reservation {
  if (event.type === 'ReservationProvisioned') {
    const carried = event.data.payments ? { paymentsRecorded: event.data.payments.recorded } : {};
    return { ...event.data, status: 'Succeeded', autoRenew: event.data.autoRenew ?? false, ...carried };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ReservationScopeChanged':
    case 'ReservationScopeFellBack':
      return { ...state, scope: event.data.scope, appliedSubscriptionIds: event.data.appliedSubscriptionIds };
    case 'ReservationAutoRenewSet': {
      // Off drops the locked price: turned on again, it is locked anew.
      if (event.data.autoRenew) return { ...state, autoRenew: true };
      const { renewalUnitPriceUsd: _dropped, ...rest } = state;
      return { ...rest, autoRenew: false };
    }
    case 'ReservationRenewalPriceLocked':
      return { ...state, renewalUnitPriceUsd: event.data.unitPriceUsd };
    case 'ReservationRenewalCancelled':
      return { ...state, autoRenew: false };
    case 'ReservationRenewalSettingsChanged': {
      const { quantity, term, billingPlan } = event.data;
      return { ...state, renewalSettings: { quantity, term, billingPlan } };
    }
    case 'ReservationRenewalFailed':
      return { ...state, renewalFailure: { reason: event.data.reason, failedAt: event.data.failedAt } };
    case 'ReservationRenewed':
      return {
        ...state,
        renewalOrderId: event.data.renewalOrderId,
        ...(event.data.renewalOrderNumber
          ? {
              renewal: {
                orderId: event.data.renewalOrderId,
                orderNumber: event.data.renewalOrderNumber,
                unitPriceUsd: event.data.unitPriceUsd,
                renewedAt: event.data.renewedAt,
              },
            }
          : {}),
      };
    case 'ReservationSplit':
      return { ...state, status: 'Split', splitInto: event.data.into, endedAt: event.data.splitAt };
    case 'ReservationMerged':
      return { ...state, status: 'Merged', mergedInto: event.data.into, endedAt: event.data.mergedAt };
    case 'ReservationMergeReverted': {
      const { mergedInto: _into, endedAt: _ended, ...rest } = state;
      return { ...rest, status: 'Succeeded' };
    }
    case 'ReservationCancelled':
      return {
        ...state,
        status: 'Cancelled',
        endedAt: event.data.cancelledAt,
        cancellationId: event.data.cancellationId,
      };
    case 'ReservationExchanged': {
      // What was exchanged is gone from it as a return is: the rest, if any, stays active.
      const {
        exchangeId,
        quantity,
        remainingQuantity,
        exchangedAt,
        newReservationId,
        returnedValueUsd,
        refundUsd,
        remainingCommitmentUsd,
      } = event.data;
      const exchanges = { ...state.exchanges, [newReservationId]: returnedValueUsd };
      const { exchangeHold: _completed, ...kept } = state;
      const rest =
        refundUsd === undefined
          ? kept
          : {
              ...kept,
              exchangedValues: {
                ...state.exchangedValues,
                [newReservationId]: { refundUsd, remainingCommitmentUsd: remainingCommitmentUsd ?? returnedValueUsd },
              },
            };
      if (remainingQuantity === 0)
        return { ...rest, status: 'Exchanged', endedAt: exchangedAt, exchangedFor: newReservationId, exchanges };
      return {
        ...rest,
        quantity: remainingQuantity,
        returns: [...(state.returns ?? []), { cancellationId: exchangeId, quantity, returnedAt: exchangedAt }],
        exchanges,
      };
    }
    case 'ReservationExchangeHeld': {
      const { exchangeId, quantity, refundUsd, remainingCommitmentUsd, heldAt } = event.data;
      return { ...state, exchangeHold: { exchangeId, quantity, refundUsd, remainingCommitmentUsd, heldAt } };
    }
    case 'ReservationExchangeReleased': {
      const { exchangeHold: _released, ...rest } = state;
      return { ...rest, releasedExchanges: [...(state.releasedExchanges ?? []), event.data.exchangeId] };
    }
    case 'ReservationPaymentRecorded':
      return { ...state, paymentsRecorded: Math.max(state.paymentsRecorded ?? 0, event.data.paymentNumber) };
    case 'ReservationQuantityReturned': {
      const { cancellationId, quantity, remainingQuantity, returnedAt } = event.data;
      return {
        ...state,
        quantity: remainingQuantity,
        returns: [...(state.returns ?? []), { cancellationId, quantity, returnedAt }],
      };
    }
    case 'ReservationExpired':
      return { ...state, status: 'Expired', endedAt: event.data.expiredAt };
  }
}
