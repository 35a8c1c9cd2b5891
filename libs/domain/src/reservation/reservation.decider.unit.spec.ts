import { customerSnapshot } from '../../testing/customer.fixture';
import { deciderSpecification } from '../../testing/decider-specification';
import { Scope } from '../cart/scope';
import { CustomerSnapshot } from '../customer/customer.decider';
import { expiryFor, RENEWAL_LEAD_MS, renewalPriceLockDate, reservationDecider } from './reservation.decider';
import { ReservationEvent, ReservationProvisionedData } from './reservation.events';
import { provisionedReservation } from '../../testing/reservation.fixture';

const spec = deciderSpecification(reservationDecider);

const withApplied =
  (appliedSubscriptionIds: string[]) =>
  (event: ReservationEvent): ReservationEvent =>
    event.type === 'ReservationScopeChanged' ? { ...event, data: { ...event.data, appliedSubscriptionIds } } : event;
const data: ReservationProvisionedData = provisionedReservation();

describe('reservation decider', () => {
  it('records a provisioned reservation', () =>
    spec
      .given([])
      .when({ type: 'RecordProvisionedReservation', data })
      .then([{ type: 'ReservationProvisioned', data }]));

  it('records it only once, however often fulfilment retries', () =>
    spec
      .given([{ type: 'ReservationProvisioned', data }])
      .when({ type: 'RecordProvisionedReservation', data })
      .thenNothingHappens());

  it('expires one or three years after it takes effect', () => {
    expect(expiryFor('2026-02-28T12:00:00.000Z', 'P1Y')).toBe('2027-02-28T12:00:00.000Z');
    expect(expiryFor('2026-02-28T12:00:00.000Z', 'P3Y')).toBe('2029-02-28T12:00:00.000Z');
  });

  const provisioned: ReservationEvent = { type: 'ReservationProvisioned', data };
  const now = '2026-06-01T10:25:00.000Z';
  const customer = customerSnapshot({ 's-1': 'active', 's-2': 'active', 's-3': 'suspended' });
  const autoRenewOn: ReservationEvent = { type: 'ReservationAutoRenewSet', data: { reservationId: 'r-1', autoRenew: true, setAt: now } };

  /** s-1 and s-3 are in management group mg-1; mg-empty has none. */
  const grouped = customerSnapshot(
    { 's-1': 'active', 's-2': 'active', 's-3': 'suspended' },
    {
      managementGroups: { 'mg-1': { managementGroupId: 'mg-1', name: 'Finance' }, 'mg-empty': { managementGroupId: 'mg-empty', name: 'Empty' } },
      managementGroupMemberships: [
        { subscriptionId: 's-1', managementGroupId: 'mg-1', from: '2026-01-01T00:00:00.000Z' },
        { subscriptionId: 's-3', managementGroupId: 'mg-1', from: '2026-01-01T00:00:00.000Z' },
      ],
    },
  );
  const scopedTo = (scope: Scope): ReservationEvent => ({
    type: 'ReservationScopeChanged',
    data: { reservationId: 'r-1', customerId: 'c-1', scope, appliedSubscriptionIds: [], changedAt: now },
  });

  describe('ChangeScope', () => {
    it('scopes to a resource group of an active subscription, and applies to that subscription', () =>
      spec
        .given([provisioned])
        .when({ type: 'ChangeScope', data: { scope: { type: 'resourceGroup', subscriptionId: 's-1', resourceGroup: 'rg-web' }, customer, now } })
        .then([scopedTo({ type: 'resourceGroup', subscriptionId: 's-1', resourceGroup: 'rg-web' })].map(withApplied(['s-1']))));

    it('treats resource group names as Azure does, case-insensitively', () =>
      spec
        .given([provisioned, scopedTo({ type: 'resourceGroup', subscriptionId: 's-1', resourceGroup: 'rg-web' })])
        .when({ type: 'ChangeScope', data: { scope: { type: 'resourceGroup', subscriptionId: 's-1', resourceGroup: 'RG-Web' }, customer, now } })
        .thenNothingHappens());

    it('refuses a resource group in a suspended subscription or one outside the billing context', () => {
      spec
        .given([provisioned])
        .when({ type: 'ChangeScope', data: { scope: { type: 'resourceGroup', subscriptionId: 's-3', resourceGroup: 'rg' }, customer, now } })
        .thenRefuses('SUBSCRIPTION_NOT_ACTIVE');
      spec
        .given([provisioned])
        .when({ type: 'ChangeScope', data: { scope: { type: 'resourceGroup', subscriptionId: 's-9', resourceGroup: 'rg' }, customer, now } })
        .thenRefuses('SUBSCRIPTION_NOT_IN_BILLING_CONTEXT');
    });

    it('scopes to a management group of the customer, applying to its active subscriptions', () =>
      spec
        .given([provisioned])
        .when({ type: 'ChangeScope', data: { scope: { type: 'managementGroup', managementGroupId: 'mg-1' }, customer: grouped, now } })
        .then([scopedTo({ type: 'managementGroup', managementGroupId: 'mg-1' })].map(withApplied(['s-1']))));

    it('refuses a management group the customer does not have', () =>
      spec
        .given([provisioned])
        .when({ type: 'ChangeScope', data: { scope: { type: 'managementGroup', managementGroupId: 'mg-other' }, customer: grouped, now } })
        .thenRefuses('MANAGEMENT_GROUP_NOT_FOUND'));

    it('narrows a shared reservation to one active subscription of the customer, free and with the same term', () =>
      spec
        .given([provisioned])
        .when({ type: 'ChangeScope', data: { scope: { type: 'single', subscriptionId: 's-1' }, customer, now } })
        .then([
          {
            type: 'ReservationScopeChanged',
            data: {
              reservationId: 'r-1',
              customerId: 'c-1',
              scope: { type: 'single', subscriptionId: 's-1' },
              appliedSubscriptionIds: ['s-1'],
              changedAt: now,
            },
          },
        ]));

    it('widens a single reservation to every active subscription of the customer', () =>
      spec
        .given([
          provisioned,
          {
            type: 'ReservationScopeChanged',
            data: {
              reservationId: 'r-1',
              customerId: 'c-1',
              scope: { type: 'single', subscriptionId: 's-1' },
              appliedSubscriptionIds: ['s-1'],
              changedAt: now,
            },
          },
        ])
        .when({ type: 'ChangeScope', data: { scope: { type: 'shared' }, customer, now } })
        .then([
          {
            type: 'ReservationScopeChanged',
            data: { reservationId: 'r-1', customerId: 'c-1', scope: { type: 'shared' }, appliedSubscriptionIds: ['s-1', 's-2'], changedAt: now },
          },
        ]));

    it('does nothing when the scope is already the one asked for', () =>
      spec
        .given([provisioned])
        .when({ type: 'ChangeScope', data: { scope: { type: 'shared' }, customer, now } })
        .thenNothingHappens());

    it('refuses a suspended subscription', () =>
      spec
        .given([provisioned])
        .when({ type: 'ChangeScope', data: { scope: { type: 'single', subscriptionId: 's-3' }, customer, now } })
        .thenRefuses('SUBSCRIPTION_NOT_ACTIVE'));

    it("refuses a subscription outside the customer's billing context", () =>
      spec
        .given([provisioned])
        .when({ type: 'ChangeScope', data: { scope: { type: 'single', subscriptionId: 's-9' }, customer, now } })
        .thenRefuses('SUBSCRIPTION_NOT_IN_BILLING_CONTEXT'));

    it('refuses an ended reservation', () =>
      spec
        .given([provisioned, { type: 'ReservationExpired', data: { reservationId: 'r-1', expiredAt: data.expiryDate } }])
        .when({ type: 'ChangeScope', data: { scope: { type: 'single', subscriptionId: 's-1' }, customer, now } })
        .thenRefuses('RESERVATION_NOT_ACTIVE'));
  });

  describe('FallBackToShared', () => {
    const single: ReservationEvent = {
      type: 'ReservationScopeChanged',
      data: { reservationId: 'r-1', customerId: 'c-1', scope: { type: 'single', subscriptionId: 's-1' }, appliedSubscriptionIds: ['s-1'], changedAt: now },
    };
    const withoutS1: CustomerSnapshot = {
      ...customer,
      subscriptions: { ...customer.subscriptions, 's-1': { ...customer.subscriptions['s-1'], status: 'suspended' } },
    };

    it('falls back to shared when the single scope’s subscription is suspended, and says so', () =>
      spec
        .given([provisioned, single])
        .when({ type: 'FallBackToShared', data: { subscriptionId: 's-1', reason: 'subscription suspended', customer: withoutS1, now } })
        .then([
          {
            type: 'ReservationScopeFellBack',
            data: {
              reservationId: 'r-1',
              customerId: 'c-1',
              fromSubscriptionId: 's-1',
              fromScope: { type: 'single', subscriptionId: 's-1' },
              scope: { type: 'shared' },
              appliedSubscriptionIds: ['s-2'],
              reason: 'subscription suspended',
              fellBackAt: now,
            },
          },
        ]));

    it('falls back to shared when a resource-group scope’s subscription is suspended', () =>
      spec
        .given([provisioned, scopedTo({ type: 'resourceGroup', subscriptionId: 's-1', resourceGroup: 'rg-web' })])
        .when({ type: 'FallBackToShared', data: { subscriptionId: 's-1', reason: 'subscription suspended', customer: withoutS1, now } })
        .then([
          {
            type: 'ReservationScopeFellBack',
            data: {
              reservationId: 'r-1',
              customerId: 'c-1',
              fromSubscriptionId: 's-1',
              fromScope: { type: 'resourceGroup', subscriptionId: 's-1', resourceGroup: 'rg-web' },
              scope: { type: 'shared' },
              appliedSubscriptionIds: ['s-2'],
              reason: 'subscription suspended',
              fellBackAt: now,
            },
          },
        ]));

    it('leaves a reservation on another management group alone', () =>
      spec
        .given([provisioned, scopedTo({ type: 'managementGroup', managementGroupId: 'mg-1' })])
        .when({ type: 'FallBackToShared', data: { managementGroupId: 'mg-2', reason: 'x', customer, now } })
        .thenNothingHappens());

    it('falls back to shared when its management group has no subscription left', () =>
      spec
        .given([provisioned, scopedTo({ type: 'managementGroup', managementGroupId: 'mg-1' })])
        .when({ type: 'FallBackToShared', data: { managementGroupId: 'mg-1', reason: 'management group mg-1 has no subscriptions left', customer, now } })
        .then([
          {
            type: 'ReservationScopeFellBack',
            data: {
              reservationId: 'r-1',
              customerId: 'c-1',
              fromScope: { type: 'managementGroup', managementGroupId: 'mg-1' },
              scope: { type: 'shared' },
              appliedSubscriptionIds: ['s-1', 's-2'],
              reason: 'management group mg-1 has no subscriptions left',
              fellBackAt: now,
            },
          },
        ]));

    it('leaves a reservation scoped elsewhere alone', () =>
      spec
        .given([provisioned, single])
        .when({ type: 'FallBackToShared', data: { subscriptionId: 's-2', reason: 'x', customer, now } })
        .thenNothingHappens());
  });

  describe('Split', () => {
    const into = [
      { reservationId: 'r-2', quantity: 1 },
      { reservationId: 'r-3', quantity: 2 },
    ];
    it('ends the original as split into two quantities that sum to its own', () =>
      spec
        .given([provisioned])
        .when({ type: 'Split', data: { into, now } })
        .then([{ type: 'ReservationSplit', data: { reservationId: 'r-1', into, splitAt: now } }]));

    it('cancels a pending renewal first', () =>
      spec
        .given([provisioned, autoRenewOn])
        .when({ type: 'Split', data: { into, now } })
        .then([
          { type: 'ReservationRenewalCancelled', data: { reservationId: 'r-1', reason: 'split', cancelledAt: now } },
          { type: 'ReservationSplit', data: { reservationId: 'r-1', into, splitAt: now } },
        ]));

    it('refuses quantities that do not sum to the quantity', () =>
      spec
        .given([provisioned])
        .when({ type: 'Split', data: { into: [into[0], { reservationId: 'r-3', quantity: 3 }], now } })
        .thenRefuses('SPLIT_QUANTITIES_MISMATCH'));

    it('refuses a zero part', () =>
      spec
        .given([provisioned])
        .when({
          type: 'Split',
          data: {
            into: [
              { reservationId: 'r-2', quantity: 0 },
              { reservationId: 'r-3', quantity: 3 },
            ],
            now,
          },
        })
        .thenRefuses('SPLIT_QUANTITIES_INVALID'));

    it('treats the same split again as a retry', () =>
      spec
        .given([provisioned, { type: 'ReservationSplit', data: { reservationId: 'r-1', into, splitAt: now } }])
        .when({ type: 'Split', data: { into, now } })
        .thenNothingHappens());

    it('refuses a different split of an already split reservation', () =>
      spec
        .given([provisioned, { type: 'ReservationSplit', data: { reservationId: 'r-1', into, splitAt: now } }])
        .when({
          type: 'Split',
          data: {
            into: [
              { reservationId: 'r-4', quantity: 2 },
              { reservationId: 'r-5', quantity: 1 },
            ],
            now,
          },
        })
        .thenRefuses('RESERVATION_NOT_ACTIVE'));
  });

  describe('MergeInto', () => {
    it('ends a source as merged, cancelling its pending renewal', () =>
      spec
        .given([provisioned, autoRenewOn])
        .when({ type: 'MergeInto', data: { targetReservationId: 'r-9', mergedWith: ['r-1', 'r-2'], now } })
        .then([
          { type: 'ReservationRenewalCancelled', data: { reservationId: 'r-1', reason: 'merge', cancelledAt: now } },
          { type: 'ReservationMerged', data: { reservationId: 'r-1', into: 'r-9', mergedWith: ['r-1', 'r-2'], mergedAt: now } },
        ]));

    it('gives a source back when its merge cannot finish, and only then', () => {
      const merged: ReservationEvent = { type: 'ReservationMerged', data: { reservationId: 'r-1', into: 'r-9', mergedWith: ['r-1', 'r-2'], mergedAt: now } };
      const reverted: ReservationEvent = {
        type: 'ReservationMergeReverted',
        data: { reservationId: 'r-1', into: 'r-9', reason: 'r-2 was split', revertedAt: now },
      };
      spec
        .given([provisioned, merged])
        .when({ type: 'RevertMerge', data: { targetReservationId: 'r-9', reason: 'r-2 was split', now } })
        .then([reverted]);
      spec
        .given([provisioned])
        .when({ type: 'RevertMerge', data: { targetReservationId: 'r-9', reason: 'x', now } })
        .thenNothingHappens();
      // Back in force: it can be changed again.
      spec
        .given([provisioned, merged, reverted])
        .when({ type: 'SetAutoRenew', data: { autoRenew: true, now } })
        .then([autoRenewOn]);
    });

    it('treats the same merge again as a retry', () =>
      spec
        .given([provisioned, { type: 'ReservationMerged', data: { reservationId: 'r-1', into: 'r-9', mergedWith: ['r-1', 'r-2'], mergedAt: now } }])
        .when({ type: 'MergeInto', data: { targetReservationId: 'r-9', mergedWith: ['r-1', 'r-2'], now } })
        .thenNothingHappens());
  });

  describe('renewal', () => {
    const lockDate = renewalPriceLockDate(data.expiryDate);

    it('locks the market price 30 days before expiry, not the original purchase price', () => {
      expect(lockDate).toBe('2027-01-29T12:00:00.000Z');
      spec
        .given([provisioned, autoRenewOn])
        .when({ type: 'LockRenewalPrice', data: { currentUnitPriceUsd: 900, now: lockDate } })
        .then([{ type: 'ReservationRenewalPriceLocked', data: { reservationId: 'r-1', unitPriceUsd: 900, lockedAt: lockDate } }]);
      // Bought at 1,000; the market is at 1,200 now: the renewal price is the market's, whatever was paid.
      spec
        .given([provisioned, autoRenewOn])
        .when({ type: 'LockRenewalPrice', data: { currentUnitPriceUsd: 1_200, now: lockDate } })
        .then([{ type: 'ReservationRenewalPriceLocked', data: { reservationId: 'r-1', unitPriceUsd: 1_200, lockedAt: lockDate } }]);
    });

    it('renews at the market price then when it fell below the locked one', () =>
      spec
        .given([provisioned, autoRenewOn, { type: 'ReservationRenewalPriceLocked', data: { reservationId: 'r-1', unitPriceUsd: 1_200, lockedAt: lockDate } }])
        .when({ type: 'Renew', data: { renewalOrderId: 'o-2', renewalOrderNumber: 'RO-2027-000002', currentUnitPriceUsd: 1_100, now: data.expiryDate } })
        .then([
          {
            type: 'ReservationRenewed',
            data: { reservationId: 'r-1', renewalOrderId: 'o-2', renewalOrderNumber: 'RO-2027-000002', unitPriceUsd: 1_100, renewedAt: data.expiryDate },
          },
        ]));

    it('does not lock a millisecond before the lock date, nor without auto-renew, nor twice', () => {
      const before = new Date(Date.parse(lockDate) - 1).toISOString();
      spec
        .given([provisioned, autoRenewOn])
        .when({ type: 'LockRenewalPrice', data: { currentUnitPriceUsd: 900, now: before } })
        .thenNothingHappens();
      spec
        .given([provisioned])
        .when({ type: 'LockRenewalPrice', data: { currentUnitPriceUsd: 900, now: lockDate } })
        .thenNothingHappens();
      spec
        .given([provisioned, autoRenewOn, { type: 'ReservationRenewalPriceLocked', data: { reservationId: 'r-1', unitPriceUsd: 900, lockedAt: lockDate } }])
        .when({ type: 'LockRenewalPrice', data: { currentUnitPriceUsd: 800, now: lockDate } })
        .thenNothingHappens();
    });

    it('renews at expiry at the lower of the locked price and the price then', () =>
      spec
        .given([provisioned, autoRenewOn, { type: 'ReservationRenewalPriceLocked', data: { reservationId: 'r-1', unitPriceUsd: 900, lockedAt: lockDate } }])
        .when({ type: 'Renew', data: { renewalOrderId: 'o-2', renewalOrderNumber: 'RO-2027-000002', currentUnitPriceUsd: 950, now: data.expiryDate } })
        .then([
          {
            type: 'ReservationRenewed',
            data: { reservationId: 'r-1', renewalOrderId: 'o-2', renewalOrderNumber: 'RO-2027-000002', unitPriceUsd: 900, renewedAt: data.expiryDate },
          },
        ]));

    it('renews ahead of expiry (two days before at the earliest), so the replacement can start the moment it ends', () => {
      const ahead = new Date(Date.parse(data.expiryDate) - RENEWAL_LEAD_MS).toISOString();
      const tooEarly = new Date(Date.parse(ahead) - 1).toISOString();
      spec
        .given([provisioned, autoRenewOn])
        .when({ type: 'Renew', data: { renewalOrderId: 'o-2', renewalOrderNumber: 'RO-2027-000002', currentUnitPriceUsd: 950, now: tooEarly } })
        .thenRefuses('RENEWAL_NOT_DUE');
      spec
        .given([provisioned, autoRenewOn])
        .when({ type: 'Renew', data: { renewalOrderId: 'o-2', renewalOrderNumber: 'RO-2027-000002', currentUnitPriceUsd: 950, now: ahead } })
        .then([
          {
            type: 'ReservationRenewed',
            data: { reservationId: 'r-1', renewalOrderId: 'o-2', renewalOrderNumber: 'RO-2027-000002', unitPriceUsd: 950, renewedAt: ahead },
          },
        ]);
    });

    it('changes what the renewal buys until expiry, not after, and not once bought', () => {
      const change = (at: string) => ({ type: 'ChangeRenewalSettings' as const, data: { quantity: 5, term: 'P3Y' as const, now: at } });
      const changed: ReservationEvent = {
        type: 'ReservationRenewalSettingsChanged',
        data: { reservationId: 'r-1', quantity: 5, term: 'P3Y', billingPlan: 'Monthly', changedAt: now },
      };
      spec.given([provisioned, autoRenewOn]).when(change(now)).then([changed]);
      spec.given([provisioned, autoRenewOn, changed]).when(change(now)).thenNothingHappens();
      spec.given([provisioned, autoRenewOn]).when(change(data.expiryDate)).thenRefuses('RESERVATION_EXPIRING');
      const renewed: ReservationEvent = {
        type: 'ReservationRenewed',
        data: { reservationId: 'r-1', renewalOrderId: 'o-2', renewalOrderNumber: 'RO-2027-000002', unitPriceUsd: 950, renewedAt: now },
      };
      spec.given([provisioned, autoRenewOn, renewed]).when(change(now)).thenRefuses('RENEWAL_ALREADY_BOUGHT');
    });

    it('records a renewal that cannot be bought, once, and renews it no more', () => {
      const failed: ReservationEvent = {
        type: 'ReservationRenewalFailed',
        data: { reservationId: 'r-1', reason: 'its billing subscription s-1 is not active', failedAt: now },
      };
      spec
        .given([provisioned, autoRenewOn])
        .when({ type: 'FailRenewal', data: { reason: 'its billing subscription s-1 is not active', now } })
        .then([failed]);
      spec
        .given([provisioned, autoRenewOn, failed])
        .when({ type: 'FailRenewal', data: { reason: 'again', now } })
        .thenNothingHappens();
      spec
        .given([provisioned, autoRenewOn, failed])
        .when({ type: 'Renew', data: { renewalOrderId: 'o-2', renewalOrderNumber: 'RO-2027-000002', currentUnitPriceUsd: 950, now: data.expiryDate } })
        .thenNothingHappens();
    });

    it('does nothing without auto-renew', () => {
      spec
        .given([provisioned])
        .when({ type: 'Renew', data: { renewalOrderId: 'o-2', renewalOrderNumber: 'RO-2027-000002', currentUnitPriceUsd: 950, now: data.expiryDate } })
        .thenNothingHappens();
    });

    it('sets auto-renew once; the same setting again changes nothing', () => {
      spec
        .given([provisioned])
        .when({ type: 'SetAutoRenew', data: { autoRenew: true, now } })
        .then([autoRenewOn]);
      spec
        .given([provisioned, autoRenewOn])
        .when({ type: 'SetAutoRenew', data: { autoRenew: true, now } })
        .thenNothingHappens();
    });
  });

  describe('Cancel and Expire', () => {
    it('cancels with the refund decided by the refund rules', () =>
      spec
        .given([provisioned])
        .when({ type: 'Cancel', data: { cancellationId: 'r-1/cancellation-1', refundUsd: 750, now } })
        .then([
          {
            type: 'ReservationCancelled',
            data: { reservationId: 'r-1', customerId: 'c-1', cancellationId: 'r-1/cancellation-1', refundUsd: 750, cancelledAt: now },
          },
        ]));

    it('refuses to cancel twice', () =>
      spec
        .given([
          provisioned,
          {
            type: 'ReservationCancelled',
            data: { reservationId: 'r-1', customerId: 'c-1', cancellationId: 'r-1/cancellation-1', refundUsd: 750, cancelledAt: now },
          },
        ])
        .when({ type: 'Cancel', data: { cancellationId: 'r-1/cancellation-1', refundUsd: 750, now } })
        .thenRefuses('RESERVATION_NOT_ACTIVE'));

    it('expires at the expiry instant, not a millisecond before', () => {
      const before = new Date(Date.parse(data.expiryDate) - 1).toISOString();
      spec
        .given([provisioned])
        .when({ type: 'Expire', data: { now: before } })
        .thenNothingHappens();
      spec
        .given([provisioned])
        .when({ type: 'Expire', data: { now: data.expiryDate } })
        .then([{ type: 'ReservationExpired', data: { reservationId: 'r-1', expiredAt: data.expiryDate } }]);
    });
  });
});
