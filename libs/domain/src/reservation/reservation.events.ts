import { BillingPlan, Term } from '../catalog/catalog-item';
import { Scope } from '../shared/scope';
import { Message } from '../shared/decider';

export type ProvisioningState = 'Succeeded' | 'Cancelled' | 'Expired' | 'Split' | 'Merged' | 'Exchanged';

export interface ReservationProvisionedData {
  reservationId: string;
  orderId: string;
  orderNumber: string;
  lineNumber: number;
  customerId: string;
  partnerId: string;
  catalogItemId: string;
  armSkuName: string;
  region: string;
  flexibilityGroup: string;
  ratio: number;
  /** How many VMs the reservation covers at the same time. */
  quantity: number;
  term: Term;
  billingPlan: BillingPlan;
  scope: Scope;
  /** The subscriptions the discount applies to; all of the customer's for a shared scope. */
  appliedSubscriptionIds: string[];
  effectiveDate: string;
  expiryDate: string;
  /**
   * When its term began: the purchase, renewal or exchange that bought it; a
   * part of a split or merge keeps its source's (absent on older events: the
   * effective date, or for a part the term measured back from its end).
   */
  purchasedAt?: string;
  /** Purchase price of one unit for the whole term; absent on reservations recorded before it was kept. */
  unitPriceUsd?: number;
  /** Renew at expiry, as the line was bought (absent on older events: off). */
  autoRenew?: boolean;
  /** The subscription the line was billed to; a renewal bills it again (absent on older events). */
  billingSubscriptionId?: string;
  /** Set when the reservation came from splitting or merging others. */
  origin?: { type: 'split' | 'merge' | 'exchange'; reservationIds: string[] };
  /**
   * A reservation split or merged from others goes on with their schedule,
   * whose months count from `startDate`, and whose first `recorded` payments
   * they already made; an upfront one's single payment is theirs (absent on
   * older events: its own schedule from its effective date).
   */
  payments?: { startDate: string; recorded: number };
}

/** One reservation a split produced, and how many VMs it covers. */
export interface SplitPart {
  reservationId: string;
  quantity: number;
}

export type ReservationEvent =
  | Message<'ReservationProvisioned', ReservationProvisionedData>
  | Message<
      'ReservationScopeChanged',
      { reservationId: string; customerId: string; scope: Scope; appliedSubscriptionIds: string[]; changedAt: string }
    >
  /** The scope's subscription was suspended, or its management group emptied, so the reservation now applies to the whole billing context. */
  | Message<
      'ReservationScopeFellBack',
      {
        reservationId: string;
        customerId: string;
        /** The suspended subscription, when that was the cause. */
        fromSubscriptionId?: string;
        /** The scope it fell back from (absent on older events, which were all single scopes). */
        fromScope?: Scope;
        scope: Scope;
        appliedSubscriptionIds: string[];
        reason: string;
        fellBackAt: string;
      }
    >
  | Message<'ReservationAutoRenewSet', { reservationId: string; autoRenew: boolean; setAt: string }>
  | Message<'ReservationRenewalPriceLocked', { reservationId: string; unitPriceUsd: number; lockedAt: string }>
  | Message<'ReservationRenewalCancelled', { reservationId: string; reason: string; cancelledAt: string }>
  /** What the renewal will buy, changed before expiry. */
  | Message<
      'ReservationRenewalSettingsChanged',
      { reservationId: string; quantity: number; term: Term; billingPlan: BillingPlan; changedAt: string }
    >
  /** The renewal could not be bought (e.g. its billing subscription is no longer active). */
  | Message<'ReservationRenewalFailed', { reservationId: string; reason: string; failedAt: string }>
  /**
   * The renewal bought at expiry, as its settings then said: `renewedAt` is the
   * expiry instant, when the new reservation takes effect. (Older events were
   * bought ahead of expiry and carry no quantity, term or billing plan.)
   */
  | Message<
      'ReservationRenewed',
      {
        reservationId: string;
        renewalOrderId: string;
        renewalOrderNumber?: string;
        unitPriceUsd: number;
        quantity?: number;
        term?: Term;
        billingPlan?: BillingPlan;
        renewedAt: string;
      }
    >
  | Message<'ReservationSplit', { reservationId: string; into: SplitPart[]; splitAt: string }>
  | Message<'ReservationMerged', { reservationId: string; into: string; mergedWith: string[]; mergedAt: string }>
  /** A merge that could not finish (another source had changed) gave this source back. */
  | Message<'ReservationMergeReverted', { reservationId: string; into: string; reason: string; revertedAt: string }>
  /** `cancellationId` names the refund recorded for it in the customer's refund ledger (absent on older events). */
  | Message<
      'ReservationCancelled',
      { reservationId: string; customerId: string; cancellationId?: string; refundUsd: number; cancelledAt: string }
    >
  /**
   * Part of the quantity returned, as Azure's Return API does with a quantity: the rest stays active.
   * `cancellationId` names the refund recorded for it in the customer's refund ledger.
   */
  | Message<
      'ReservationQuantityReturned',
      {
        reservationId: string;
        customerId: string;
        cancellationId: string;
        quantity: number;
        remainingQuantity: number;
        refundUsd: number;
        returnedAt: string;
      }
    >
  /**
   * Exchanged, all or a quantity, for the reservation an exchange bought
   * (`newReservationId`, in this order or, for an exchange of several
   * reservations, in the first one's). Its refund is credited against the
   * purchase, and does not count toward the refund cap.
   */
  | Message<
      'ReservationExchanged',
      {
        reservationId: string;
        customerId: string;
        exchangeId: string;
        quantity: number;
        remainingQuantity: number;
        /** The commitment given back, which the purchase makes good (older events: the prorated remaining value). */
        returnedValueUsd: number;
        /** Money credited for the quantity returned: what a return of it would refund (absent on older events). */
        refundUsd?: number;
        /** Upfront: that refund; monthly: the leftover payments cancelled (absent on older events). */
        remainingCommitmentUsd?: number;
        newReservationId: string;
        /** The new reservation's lifetime commitment: never less than the commitment given back by the whole exchange. */
        newCommitmentUsd: number;
        exchangedAt: string;
      }
    >
  /** Held for an exchange of several reservations, decided on another reservation order: nothing else changes it until it completes or is released. */
  | Message<
      'ReservationExchangeHeld',
      {
        reservationId: string;
        customerId: string;
        exchangeId: string;
        quantity: number;
        refundUsd: number;
        remainingCommitmentUsd: number;
        heldAt: string;
      }
    >
  /** The exchange it was held for did not happen (or never will hold it): it is free again, as it was. */
  | Message<
      'ReservationExchangeReleased',
      { reservationId: string; exchangeId: string; reason: string; releasedAt: string }
    >
  /** A payment fell due and was taken: an upfront reservation's one, or a monthly one's (the first at purchase, the others by the daily pass). */
  | Message<
      'ReservationPaymentRecorded',
      /** `quantity`: the VMs it is for (absent on older events). */
      {
        reservationId: string;
        customerId: string;
        paymentNumber: number;
        amountUsd: number;
        quantity?: number;
        dueAt: string;
        recordedAt: string;
      }
    >
  | Message<'ReservationExpired', { reservationId: string; expiredAt: string }>;

/** Every reservation event type, for subscriptions that filter by type. */
export const RESERVATION_EVENT_TYPES = [
  'ReservationProvisioned',
  'ReservationScopeChanged',
  'ReservationScopeFellBack',
  'ReservationAutoRenewSet',
  'ReservationRenewalPriceLocked',
  'ReservationRenewalCancelled',
  'ReservationRenewalSettingsChanged',
  'ReservationRenewalFailed',
  'ReservationRenewed',
  'ReservationSplit',
  'ReservationMerged',
  'ReservationMergeReverted',
  'ReservationCancelled',
  'ReservationQuantityReturned',
  'ReservationExchanged',
  'ReservationExchangeHeld',
  'ReservationExchangeReleased',
  'ReservationPaymentRecorded',
  'ReservationExpired',
] as const satisfies readonly ReservationEvent['type'][];
