import { customerSnapshot } from '../../testing/customer.fixture';
import { deciderSpecification } from '../../testing/decider-specification';
import { Scope } from '../shared/scope';
import { CustomerSnapshot } from '../customer/customer.decider';
import { expiryFor } from './reservation';
import { RenewalAtExpiry, renewalPriceLockDate, reservationDecider } from './reservation.decider';
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
  const autoRenewOn: ReservationEvent = {
    type: 'ReservationAutoRenewSet',
    data: { reservationId: 'r-1', autoRenew: true, setAt: now },
  };

  /** s-1 and s-3 are in management group mg-1; mg-empty has none. */
  const grouped = customerSnapshot(
    { 's-1': 'active', 's-2': 'active', 's-3': 'suspended' },
    {
      managementGroups: {
        'mg-1': { managementGroupId: 'mg-1', name: 'Finance' },
        'mg-empty': { managementGroupId: 'mg-empty', name: 'Empty' },
      },
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
        .when({
          type: 'ChangeScope',
          data: { scope: { type: 'resourceGroup', subscriptionId: 's-1', resourceGroup: 'rg-web' }, customer, now },
        })
        .then(
          [scopedTo({ type: 'resourceGroup', subscriptionId: 's-1', resourceGroup: 'rg-web' })].map(
            withApplied(['s-1']),
          ),
        ));

    it('treats resource group names as Azure does, case-insensitively', () =>
      spec
        .given([provisioned, scopedTo({ type: 'resourceGroup', subscriptionId: 's-1', resourceGroup: 'rg-web' })])
        .when({
          type: 'ChangeScope',
          data: { scope: { type: 'resourceGroup', subscriptionId: 's-1', resourceGroup: 'RG-Web' }, customer, now },
        })
        .thenNothingHappens());

    it('refuses a resource group in a suspended subscription or one outside the billing context', () => {
      spec
        .given([provisioned])
        .when({
          type: 'ChangeScope',
          data: { scope: { type: 'resourceGroup', subscriptionId: 's-3', resourceGroup: 'rg' }, customer, now },
        })
        .thenRefuses('SUBSCRIPTION_NOT_ACTIVE');
      spec
        .given([provisioned])
        .when({
          type: 'ChangeScope',
          data: { scope: { type: 'resourceGroup', subscriptionId: 's-9', resourceGroup: 'rg' }, customer, now },
        })
        .thenRefuses('SUBSCRIPTION_NOT_IN_BILLING_CONTEXT');
    });

    it('scopes to a management group of the customer, applying to its active subscriptions', () =>
      spec
        .given([provisioned])
        .when({
          type: 'ChangeScope',
          data: { scope: { type: 'managementGroup', managementGroupId: 'mg-1' }, customer: grouped, now },
        })
        .then([scopedTo({ type: 'managementGroup', managementGroupId: 'mg-1' })].map(withApplied(['s-1']))));

    it('refuses a management group the customer does not have', () =>
      spec
        .given([provisioned])
        .when({
          type: 'ChangeScope',
          data: { scope: { type: 'managementGroup', managementGroupId: 'mg-other' }, customer: grouped, now },
        })
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
            data: {
              reservationId: 'r-1',
              customerId: 'c-1',
              scope: { type: 'shared' },
              appliedSubscriptionIds: ['s-1', 's-2'],
              changedAt: now,
            },
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

    it('refuses an ended reservation: 422 RESERVATION_EXPIRED once expired, 409 RESERVATION_NOT_ACTIVE once cancelled', () => {
      const change = {
        type: 'ChangeScope' as const,
        data: { scope: { type: 'single' as const, subscriptionId: 's-1' }, customer, now },
      };
      spec
        .given([
          provisioned,
          { type: 'ReservationExpired', data: { reservationId: 'r-1', expiredAt: data.expiryDate } },
        ])
        .when(change)
        .thenRefuses('RESERVATION_EXPIRED');
      spec
        .given([
          provisioned,
          {
            type: 'ReservationCancelled',
            data: { reservationId: 'r-1', customerId: 'c-1', cancellationId: 'x', refundUsd: 1, cancelledAt: now },
          },
        ])
        .when(change)
        .thenRefuses('RESERVATION_NOT_ACTIVE');
    });
  });

  describe('FallBackToShared', () => {
    const single: ReservationEvent = {
      type: 'ReservationScopeChanged',
      data: {
        reservationId: 'r-1',
        customerId: 'c-1',
        scope: { type: 'single', subscriptionId: 's-1' },
        appliedSubscriptionIds: ['s-1'],
        changedAt: now,
      },
    };
    const withoutS1: CustomerSnapshot = {
      ...customer,
      subscriptions: { ...customer.subscriptions, 's-1': { ...customer.subscriptions['s-1'], status: 'suspended' } },
    };

    it('falls back to shared when the single scope’s subscription is suspended, and says so', () =>
      spec
        .given([provisioned, single])
        .when({
          type: 'FallBackToShared',
          data: { subscriptionId: 's-1', reason: 'subscription suspended', customer: withoutS1, now },
        })
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
        .when({
          type: 'FallBackToShared',
          data: { subscriptionId: 's-1', reason: 'subscription suspended', customer: withoutS1, now },
        })
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
        .when({
          type: 'FallBackToShared',
          data: { managementGroupId: 'mg-1', reason: 'management group mg-1 has no subscriptions left', customer, now },
        })
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
          {
            type: 'ReservationMerged',
            data: { reservationId: 'r-1', into: 'r-9', mergedWith: ['r-1', 'r-2'], mergedAt: now },
          },
        ]));

    it('gives a source back when its merge cannot finish, and only then', () => {
      const merged: ReservationEvent = {
        type: 'ReservationMerged',
        data: { reservationId: 'r-1', into: 'r-9', mergedWith: ['r-1', 'r-2'], mergedAt: now },
      };
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
        .given([
          provisioned,
          {
            type: 'ReservationMerged',
            data: { reservationId: 'r-1', into: 'r-9', mergedWith: ['r-1', 'r-2'], mergedAt: now },
          },
        ])
        .when({ type: 'MergeInto', data: { targetReservationId: 'r-9', mergedWith: ['r-1', 'r-2'], now } })
        .thenNothingHappens());
  });

  describe('renewal', () => {
    const lockDate = renewalPriceLockDate(data.expiryDate);
    const locked = (unitPriceUsd: number, at = lockDate): ReservationEvent => ({
      type: 'ReservationRenewalPriceLocked',
      data: { reservationId: 'r-1', unitPriceUsd, lockedAt: at },
    });
    const renewal = (overrides: Partial<RenewalAtExpiry> = {}): RenewalAtExpiry => ({
      orderId: 'o-2',
      orderNumber: 'RO-2027-000002',
      marketUnitPriceUsd: 950,
      billingActive: true,
      billingSubscriptionId: 's-1',
      ...overrides,
    });
    const reach = (at: string, overrides: Partial<RenewalAtExpiry> = {}) => ({
      type: 'ReachExpiry' as const,
      data: { renewal: renewal(overrides), now: at },
    });
    const expired: ReservationEvent = {
      type: 'ReservationExpired',
      data: { reservationId: 'r-1', expiredAt: data.expiryDate },
    };
    const renewed = (
      unitPriceUsd: number,
      settings: { quantity?: number; term?: 'P1Y' | 'P3Y'; billingPlan?: 'Upfront' | 'Monthly' } = {},
    ): ReservationEvent => ({
      type: 'ReservationRenewed',
      data: {
        reservationId: 'r-1',
        renewalOrderId: 'o-2',
        renewalOrderNumber: 'RO-2027-000002',
        unitPriceUsd,
        quantity: settings.quantity ?? 3,
        term: settings.term ?? 'P1Y',
        billingPlan: settings.billingPlan ?? 'Monthly',
        renewedAt: data.expiryDate,
      },
    });

    it('locks the market price 30 days before expiry, not the original purchase price', () => {
      expect(lockDate).toBe('2027-01-29T12:00:00.000Z');
      spec
        .given([provisioned, autoRenewOn])
        .when({ type: 'LockRenewalPrice', data: { currentUnitPriceUsd: 900, now: lockDate } })
        .then([locked(900)]);
      // Bought at 1,000; the market is at 1,200 now: the renewal price is the market's, whatever was paid.
      spec
        .given([provisioned, autoRenewOn])
        .when({ type: 'LockRenewalPrice', data: { currentUnitPriceUsd: 1_200, now: lockDate } })
        .then([locked(1_200)]);
    });

    it('does not lock a millisecond before the lock date, nor without auto-renew, nor twice, nor what is no longer sold', () => {
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
        .given([provisioned, autoRenewOn, locked(900)])
        .when({ type: 'LockRenewalPrice', data: { currentUnitPriceUsd: 800, now: lockDate } })
        .thenNothingHappens();
      spec
        .given([provisioned, autoRenewOn])
        .when({ type: 'LockRenewalPrice', data: { now: lockDate } })
        .thenNothingHappens();
    });

    it('buys nothing before expiry, and at expiry buys the renewal at the lower of the locked price and the price then, as of the expiry instant', () => {
      spec
        .given([provisioned, autoRenewOn, locked(900)])
        .when(reach(new Date(Date.parse(data.expiryDate) - 1).toISOString()))
        .thenNothingHappens();
      spec
        .given([provisioned, autoRenewOn, locked(900)])
        .when(reach(data.expiryDate))
        .then([renewed(900), expired]);
      // The pass runs the next morning: the renewal is still bought as of the expiry instant, at the market price then if lower.
      spec
        .given([provisioned, autoRenewOn, locked(1_200)])
        .when(reach('2027-03-01T00:05:00.000Z', { marketUnitPriceUsd: 1_100 }))
        .then([renewed(1_100), expired]);
    });

    it('buys nothing when auto-renew was turned off the day before expiry: it just expires (issue #26)', () => {
      const off: ReservationEvent = {
        type: 'ReservationAutoRenewSet',
        data: { reservationId: 'r-1', autoRenew: false, setAt: '2027-02-27T12:00:00.000Z' },
      };
      spec
        .given([provisioned, autoRenewOn, locked(900)])
        .when({ type: 'SetAutoRenew', data: { autoRenew: false, now: '2027-02-27T12:00:00.000Z' } })
        .then([off]);
      spec
        .given([provisioned, autoRenewOn, locked(900), off])
        .when(reach(data.expiryDate))
        .then([expired]);
    });

    it('pays the price of the term it buys: changed to P3Y after the lock, the lock is taken again at the P3Y price (issue #26)', () => {
      const changedAt = '2027-02-10T00:00:00.000Z';
      const toP3y: ReservationEvent = {
        type: 'ReservationRenewalSettingsChanged',
        data: { reservationId: 'r-1', quantity: 3, term: 'P3Y', billingPlan: 'Monthly', changedAt },
      };
      spec
        .given([provisioned, autoRenewOn, locked(593.27)])
        .when({ type: 'ChangeRenewalSettings', data: { term: 'P3Y', now: changedAt, renewalUnitPriceUsd: 1_130.04 } })
        .then([toP3y, locked(1_130.04, changedAt)]);
      spec
        .given([provisioned, autoRenewOn, locked(593.27), toP3y, locked(1_130.04, changedAt)])
        .when(reach(data.expiryDate, { marketUnitPriceUsd: 1_130.04 }))
        .then([renewed(1_130.04, { term: 'P3Y' }), expired]);
    });

    it('fails the renewal of a SKU no longer sold, with the reason, and expires (issue #26)', () =>
      spec
        .given([provisioned, autoRenewOn, locked(900)])
        .when(reach(data.expiryDate, { marketUnitPriceUsd: undefined }))
        .then([
          {
            type: 'ReservationRenewalFailed',
            data: {
              reservationId: 'r-1',
              reason: 'Standard_D4s_v5 in westeurope for P1Y is no longer sold',
              failedAt: data.expiryDate,
            },
          },
          expired,
        ]));

    it('fails the renewal whose billing subscription is no longer active', () =>
      spec
        .given([provisioned, autoRenewOn])
        .when(reach(data.expiryDate, { billingActive: false }))
        .then([
          {
            type: 'ReservationRenewalFailed',
            data: {
              reservationId: 'r-1',
              reason: 'its billing subscription s-1 is not active',
              failedAt: data.expiryDate,
            },
          },
          expired,
        ]));

    it('changes what the renewal buys until expiry, not after', () => {
      const change = (at: string) => ({
        type: 'ChangeRenewalSettings' as const,
        data: { quantity: 5, term: 'P3Y' as const, now: at, renewalUnitPriceUsd: 2_000 },
      });
      const changed: ReservationEvent = {
        type: 'ReservationRenewalSettingsChanged',
        data: { reservationId: 'r-1', quantity: 5, term: 'P3Y', billingPlan: 'Monthly', changedAt: now },
      };
      // Months before the lock window: nothing is locked yet.
      spec.given([provisioned, autoRenewOn]).when(change(now)).then([changed]);
      spec.given([provisioned, autoRenewOn, changed]).when(change(now)).thenNothingHappens();
      spec.given([provisioned, autoRenewOn]).when(change(data.expiryDate)).thenRefuses('RESERVATION_EXPIRED');
    });

    it('turned on after expiry buys nothing backdated: refused, and the pass just expires it (issue #26)', () => {
      spec
        .given([provisioned])
        .when({
          type: 'SetAutoRenew',
          data: { autoRenew: true, now: '2027-02-28T18:00:00.000Z', renewalUnitPriceUsd: 950 },
        })
        .thenRefuses('RESERVATION_EXPIRED');
      spec.given([provisioned]).when(reach('2027-03-01T00:05:00.000Z')).then([expired]);
    });

    it('turned on within the 30 days locks the price then; turned off drops the lock, so on again locks anew', () => {
      const within = '2027-02-20T08:00:00.000Z';
      const on: ReservationEvent = {
        type: 'ReservationAutoRenewSet',
        data: { reservationId: 'r-1', autoRenew: true, setAt: within },
      };
      spec
        .given([provisioned])
        .when({ type: 'SetAutoRenew', data: { autoRenew: true, now: within, renewalUnitPriceUsd: 970 } })
        .then([on, locked(970, within)]);
      const off: ReservationEvent = {
        type: 'ReservationAutoRenewSet',
        data: { reservationId: 'r-1', autoRenew: false, setAt: within },
      };
      spec
        .given([provisioned, on, locked(970, within), off])
        .when({ type: 'SetAutoRenew', data: { autoRenew: true, now: within, renewalUnitPriceUsd: 990 } })
        .then([on, locked(990, within)]);
      // Months ahead, turning it on locks nothing: the pass locks it 30 days before.
      spec
        .given([provisioned])
        .when({ type: 'SetAutoRenew', data: { autoRenew: true, now, renewalUnitPriceUsd: 970 } })
        .then([autoRenewOn]);
    });

    it('renews once: a renewal failed or bought by an older release ahead of expiry is not bought again', () => {
      const failed: ReservationEvent = {
        type: 'ReservationRenewalFailed',
        data: { reservationId: 'r-1', reason: 'x', failedAt: now },
      };
      spec.given([provisioned, autoRenewOn, failed]).when(reach(data.expiryDate)).then([expired]);
      const boughtAhead: ReservationEvent = {
        type: 'ReservationRenewed',
        data: {
          reservationId: 'r-1',
          renewalOrderId: 'o-2',
          renewalOrderNumber: 'RO-2027-000002',
          unitPriceUsd: 950,
          renewedAt: '2027-02-26T00:05:00.000Z',
        },
      };
      spec.given([provisioned, autoRenewOn, boughtAhead]).when(reach(data.expiryDate)).then([expired]);
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
            data: {
              reservationId: 'r-1',
              customerId: 'c-1',
              cancellationId: 'r-1/cancellation-1',
              refundUsd: 750,
              cancelledAt: now,
            },
          },
        ]));

    it('refuses to cancel twice', () =>
      spec
        .given([
          provisioned,
          {
            type: 'ReservationCancelled',
            data: {
              reservationId: 'r-1',
              customerId: 'c-1',
              cancellationId: 'r-1/cancellation-1',
              refundUsd: 750,
              cancelledAt: now,
            },
          },
        ])
        .when({ type: 'Cancel', data: { cancellationId: 'r-1/cancellation-1', refundUsd: 750, now } })
        .thenRefuses('RESERVATION_NOT_ACTIVE'));

    it('expires at the expiry instant, not a millisecond before, and refuses changes from then on', () => {
      const reach = (at: string) => ({
        type: 'ReachExpiry' as const,
        data: {
          renewal: { orderId: 'o-2', orderNumber: '', billingActive: true, billingSubscriptionId: 's-1' },
          now: at,
        },
      });
      const before = new Date(Date.parse(data.expiryDate) - 1).toISOString();
      spec.given([provisioned]).when(reach(before)).thenNothingHappens();
      spec
        .given([provisioned])
        .when(reach(data.expiryDate))
        .then([{ type: 'ReservationExpired', data: { reservationId: 'r-1', expiredAt: data.expiryDate } }]);
      // Before the pass records it, a reservation past its expiry is already past changing.
      spec
        .given([provisioned])
        .when({ type: 'Cancel', data: { cancellationId: 'r-1/cancellation-1', refundUsd: 0, now: data.expiryDate } })
        .thenRefuses('RESERVATION_EXPIRED');
      spec
        .given([provisioned])
        .when({ type: 'ChangeScope', data: { scope: { type: 'shared' }, customer, now: data.expiryDate } })
        .thenRefuses('RESERVATION_EXPIRED');
    });
  });
});
