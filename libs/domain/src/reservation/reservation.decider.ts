import { BillingPlan, Term } from '../catalog/catalog-item';
import { CustomerSnapshot, isActiveSubscription } from '../customer/customer.decider';
import { appliedSubscriptions, checkManagementGroup } from '../customer/scope-subscriptions';
import { Decider, Message } from '../shared/decider';
import { illegalState, ruleViolated } from '../shared/domain-error';
import { sameScope, Scope, scopeSubscription } from '../shared/scope';
import { duePayments } from './payment-schedule';
import { ActiveReservation, evolveReservation, Reservation } from './reservation';
import { ReservationEvent, ReservationProvisionedData, SplitPart } from './reservation.events';

/** The renewal price is fixed this many days before expiry. */
export const RENEWAL_PRICE_LOCK_DAYS = 30;

/** What the daily pass knows at expiry about buying the renewal, found outside the reservation. */
export interface RenewalAtExpiry {
  /** The order that would buy it (its id derives from the reservation). */
  orderId: string;
  orderNumber: string;
  /** The market price then of what the settings buy; undefined when that SKU is no longer sold in its region for that term. */
  marketUnitPriceUsd?: number;
  /** Whether the billing subscription is still active. */
  billingActive: boolean;
  billingSubscriptionId: string;
}

export type ReservationCommand =
  | Message<'RecordProvisionedReservation', ReservationProvisionedData>
  | Message<'ChangeScope', { scope: Scope; customer: CustomerSnapshot; now: string }>
  /** The scope's subscription was suspended, or its management group emptied: the reservation applies to the billing context instead. */
  | Message<
      'FallBackToShared',
      { subscriptionId?: string; managementGroupId?: string; reason: string; customer: CustomerSnapshot; now: string }
    >
  /** `renewalUnitPriceUsd`: the market price now of what the renewal would buy (undefined: not sold), locked when turned on within 30 days of expiry. */
  | Message<'SetAutoRenew', { autoRenew: boolean; now: string; renewalUnitPriceUsd?: number }>
  /** `renewalUnitPriceUsd`: the market price now of what the changed settings buy, locked again within 30 days of expiry. */
  | Message<
      'ChangeRenewalSettings',
      { quantity?: number; term?: Term; billingPlan?: BillingPlan; now: string; renewalUnitPriceUsd?: number }
    >
  /** `currentUnitPriceUsd`: undefined when what the renewal buys is not sold; then nothing is locked. */
  | Message<'LockRenewalPrice', { currentUnitPriceUsd?: number; now: string }>
  /** The first pass at or after expiry: the renewal the settings then ask for is bought (or fails, with its reason), and the reservation expires. */
  | Message<'ReachExpiry', { renewal: RenewalAtExpiry; now: string }>
  | Message<'Split', { into: SplitPart[]; now: string }>
  | Message<'MergeInto', { targetReservationId: string; mergedWith: string[]; now: string }>
  | Message<'RevertMerge', { targetReservationId: string; reason: string; now: string }>
  | Message<'Cancel', { cancellationId: string; refundUsd: number; now: string }>
  /** Monthly billing: record the payments fallen due by `now`. */
  | Message<'RecordDuePayments', { now: string }>;

const DAY_MS = 86_400_000;

/** The moment from which the renewal price is locked. */
export const renewalPriceLockDate = (expiryDate: string) =>
  new Date(Date.parse(expiryDate) - RENEWAL_PRICE_LOCK_DAYS * DAY_MS).toISOString();

const inLockWindow = (reservation: ActiveReservation, now: string) =>
  Date.parse(now) >= Date.parse(renewalPriceLockDate(reservation.expiryDate));

/**
 * A reservation that still applies at `now`: provisioned, not ended, and not
 * past its expiry (which the daily pass records only at its next run).
 */
export function applying(state: Reservation, now: string): ActiveReservation {
  const reservation = active(state);
  if (Date.parse(now) >= Date.parse(reservation.expiryDate)) throw expiredAlready(reservation);
  return reservation;
}

const expiredAlready = (reservation: ActiveReservation) =>
  ruleViolated(
    'RESERVATION_EXPIRED',
    `reservation ${reservation.reservationId} expired at ${reservation.expiryDate} and can no longer be changed`,
  );

const priceLocked = (reservation: ActiveReservation, unitPriceUsd: number, now: string): ReservationEvent => ({
  type: 'ReservationRenewalPriceLocked',
  data: { reservationId: reservation.reservationId, unitPriceUsd, lockedAt: now },
});

/** What a renewal of the reservation buys: its settings if changed, else its own quantity, term and billing plan. */
export const renewalOf = (reservation: ActiveReservation) =>
  reservation.renewalSettings ?? {
    quantity: reservation.quantity,
    term: reservation.term,
    billingPlan: reservation.billingPlan,
  };

/** Only a reservation that still applies (provisioned, not ended) can be changed. */
export function active(state: Reservation): ActiveReservation {
  if (state.status === 'none') throw illegalState('RESERVATION_NOT_FOUND', 'reservation not found');
  // Expired is what a change after expiry meets, whether or not the pass has recorded it yet.
  if (state.status === 'Expired') throw expiredAlready(state);
  if (state.status !== 'Succeeded') {
    throw illegalState(
      'RESERVATION_NOT_ACTIVE',
      `reservation ${state.reservationId} is ${state.status.toLowerCase()} and can no longer be changed`,
    );
  }
  return state;
}

/** A split or merge ends the reservation, and cancels its renewal as Azure does: what it makes does not renew until told to. */
const renewalCancelled = (reservation: ActiveReservation, reason: string, now: string): ReservationEvent[] =>
  reservation.autoRenew
    ? [
        {
          type: 'ReservationRenewalCancelled',
          data: { reservationId: reservation.reservationId, reason, cancelledAt: now },
        },
      ]
    : [];

export const reservationDecider: Decider<Reservation, ReservationCommand, ReservationEvent> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'RecordProvisionedReservation':
        // Recorded once, however often fulfilment (or a split or merge) retries.
        return state.status === 'none' ? [{ type: 'ReservationProvisioned', data: command.data }] : [];

      case 'ChangeScope': {
        const { scope, customer, now } = command.data;
        const reservation = applying(state, now);
        if (customer.customerId !== reservation.customerId)
          throw ruleViolated(
            'SUBSCRIPTION_NOT_IN_BILLING_CONTEXT',
            'the scope must belong to the reservation’s customer',
          );
        const subscriptionId = scopeSubscription(scope);
        if (subscriptionId) {
          if (!customer.subscriptions[subscriptionId]) {
            throw ruleViolated(
              'SUBSCRIPTION_NOT_IN_BILLING_CONTEXT',
              `subscription ${subscriptionId} is not one of customer ${customer.customerId}'s subscriptions`,
            );
          }
          if (!isActiveSubscription(customer, subscriptionId))
            throw ruleViolated('SUBSCRIPTION_NOT_ACTIVE', `subscription ${subscriptionId} is not active`);
        }
        checkManagementGroup(scope, customer);
        if (sameScope(scope, reservation.scope)) return [];
        const appliedSubscriptionIds = appliedSubscriptions(scope, customer);
        return [
          {
            type: 'ReservationScopeChanged',
            data: {
              reservationId: reservation.reservationId,
              customerId: reservation.customerId,
              scope,
              appliedSubscriptionIds,
              changedAt: now,
            },
          },
        ];
      }

      case 'FallBackToShared': {
        if (state.status !== 'Succeeded') return [];
        const { subscriptionId, managementGroupId, reason, customer, now } = command.data;
        const from = state.scope;
        const affected =
          (subscriptionId !== undefined && scopeSubscription(from) === subscriptionId) ||
          (managementGroupId !== undefined &&
            from.type === 'managementGroup' &&
            from.managementGroupId === managementGroupId);
        if (!affected) return [];
        const scope: Scope = { type: 'shared' };
        return [
          {
            type: 'ReservationScopeFellBack',
            data: {
              reservationId: state.reservationId,
              customerId: state.customerId,
              ...(subscriptionId !== undefined ? { fromSubscriptionId: subscriptionId } : {}),
              fromScope: from,
              scope,
              appliedSubscriptionIds: appliedSubscriptions(scope, customer),
              reason,
              fellBackAt: now,
            },
          },
        ];
      }

      case 'SetAutoRenew': {
        // Up to expiry, not after: turning it on then buys nothing backdated.
        const { autoRenew, now, renewalUnitPriceUsd } = command.data;
        const reservation = applying(state, now);
        if (reservation.autoRenew === autoRenew) return [];
        const set: ReservationEvent = {
          type: 'ReservationAutoRenewSet',
          data: { reservationId: reservation.reservationId, autoRenew, setAt: now },
        };
        // Turned on within the 30 days: the price is locked as it is now (turning it off drops any lock).
        const lock =
          autoRenew && renewalUnitPriceUsd !== undefined && inLockWindow(reservation, now)
            ? [priceLocked(reservation, renewalUnitPriceUsd, now)]
            : [];
        return [set, ...lock];
      }

      case 'ChangeRenewalSettings': {
        const { now, renewalUnitPriceUsd } = command.data;
        const reservation = applying(state, now);
        // Renewals bought ahead of expiry by older releases.
        if (reservation.renewalOrderId)
          throw illegalState(
            'RENEWAL_ALREADY_BOUGHT',
            `the renewal of reservation ${reservation.reservationId} was already bought`,
          );
        const current = renewalOf(reservation);
        const next = {
          quantity: command.data.quantity ?? current.quantity,
          term: command.data.term ?? current.term,
          billingPlan: command.data.billingPlan ?? current.billingPlan,
        };
        if (
          next.quantity === current.quantity &&
          next.term === current.term &&
          next.billingPlan === current.billingPlan
        )
          return [];
        const changed: ReservationEvent = {
          type: 'ReservationRenewalSettingsChanged',
          data: { reservationId: reservation.reservationId, ...next, changedAt: now },
        };
        // Within the 30 days the lock follows what is now to be bought, at its market price now.
        const relock =
          reservation.autoRenew && renewalUnitPriceUsd !== undefined && inLockWindow(reservation, now)
            ? [priceLocked(reservation, renewalUnitPriceUsd, now)]
            : [];
        return [changed, ...relock];
      }

      case 'LockRenewalPrice': {
        if (state.status !== 'Succeeded' || !state.autoRenew || state.renewalUnitPriceUsd !== undefined) return [];
        const { currentUnitPriceUsd, now } = command.data;
        if (
          currentUnitPriceUsd === undefined ||
          !inLockWindow(state, now) ||
          Date.parse(now) >= Date.parse(state.expiryDate)
        )
          return [];
        // The market price 30 days before expiry; the renewal later pays the lower of it and the price then.
        return [priceLocked(state, currentUnitPriceUsd, now)];
      }

      case 'ReachExpiry': {
        // Held for an exchange, it waits for the exchange to end; the next pass sees it.
        if (
          state.status !== 'Succeeded' ||
          state.exchangeHold ||
          Date.parse(command.data.now) < Date.parse(state.expiryDate)
        )
          return [];
        const expired: ReservationEvent = {
          type: 'ReservationExpired',
          data: { reservationId: state.reservationId, expiredAt: state.expiryDate },
        };
        // Bought ahead of expiry by an older release, or not asked for: it just expires.
        if (!state.autoRenew || state.renewalOrderId || state.renewalFailure) return [expired];
        const { renewal, now } = command.data;
        const { quantity, term, billingPlan } = renewalOf(state);
        const failed = (reason: string): ReservationEvent[] => [
          { type: 'ReservationRenewalFailed', data: { reservationId: state.reservationId, reason, failedAt: now } },
          expired,
        ];
        if (renewal.marketUnitPriceUsd === undefined)
          return failed(`${state.armSkuName} in ${state.region} for ${term} is no longer sold`);
        if (!renewal.billingActive)
          return failed(`its billing subscription ${renewal.billingSubscriptionId} is not active`);
        // The lower of the market price locked 30 days before expiry and the market price now; never the original price.
        const unitPriceUsd = Math.min(
          state.renewalUnitPriceUsd ?? renewal.marketUnitPriceUsd,
          renewal.marketUnitPriceUsd,
        );
        return [
          {
            type: 'ReservationRenewed',
            data: {
              reservationId: state.reservationId,
              renewalOrderId: renewal.orderId,
              renewalOrderNumber: renewal.orderNumber,
              unitPriceUsd,
              quantity,
              term,
              billingPlan,
              // Bought on the expiration date time, as Azure's `renew` says, whenever the pass runs after it.
              renewedAt: state.expiryDate,
            },
          },
          expired,
        ];
      }

      case 'Split': {
        const { into, now } = command.data;
        if (state.status === 'Split' && JSON.stringify(state.splitInto) === JSON.stringify(into)) return []; // a retry
        const reservation = applying(state, now);
        if (into.length !== 2 || into.some((part) => !Number.isInteger(part.quantity) || part.quantity < 1)) {
          throw ruleViolated('SPLIT_QUANTITIES_INVALID', 'a split takes two whole quantities of at least 1');
        }
        const total = into[0].quantity + into[1].quantity;
        if (total !== reservation.quantity) {
          throw ruleViolated(
            'SPLIT_QUANTITIES_MISMATCH',
            `the quantities must sum to the reservation's quantity, ${reservation.quantity}; they sum to ${total}`,
          );
        }
        return [
          ...renewalCancelled(reservation, 'split', now),
          { type: 'ReservationSplit', data: { reservationId: reservation.reservationId, into, splitAt: now } },
        ];
      }

      case 'MergeInto': {
        const { targetReservationId, mergedWith, now } = command.data;
        if (state.status === 'Merged' && state.mergedInto === targetReservationId) return []; // a retry
        const reservation = applying(state, now);
        return [
          ...renewalCancelled(reservation, 'merge', now),
          {
            type: 'ReservationMerged',
            data: { reservationId: reservation.reservationId, into: targetReservationId, mergedWith, mergedAt: now },
          },
        ];
      }

      case 'RevertMerge': {
        // Only a source still waiting for a merge that will not happen; anything else is already as it should be.
        const { targetReservationId, reason, now } = command.data;
        if (state.status !== 'Merged' || state.mergedInto !== targetReservationId) return [];
        return [
          {
            type: 'ReservationMergeReverted',
            data: { reservationId: state.reservationId, into: targetReservationId, reason, revertedAt: now },
          },
        ];
      }

      case 'Cancel': {
        const { cancellationId, refundUsd, now } = command.data;
        const reservation = applying(state, now);
        return [
          {
            type: 'ReservationCancelled',
            data: {
              reservationId: reservation.reservationId,
              customerId: reservation.customerId,
              cancellationId,
              refundUsd,
              cancelledAt: now,
            },
          },
        ];
      }

      case 'RecordDuePayments': {
        // Held for an exchange, it pays what fell due with the exchange itself.
        if (state.status === 'none' || state.exchangeHold) return [];
        return duePayments(state, command.data.now).map((payment) => ({
          type: 'ReservationPaymentRecorded' as const,
          data: {
            reservationId: state.reservationId,
            customerId: state.customerId,
            ...payment,
            recordedAt: command.data.now,
          },
        }));
      }
    }
  },

  evolve: evolveReservation,
};
