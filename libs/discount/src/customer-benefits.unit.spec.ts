import { applyReservationDiscounts, ReservationEvent, UsageRecord } from '@app/domain';
import { FoldedDocument, ReservationView, reservationsProjection } from '@app/projections';
import { benefitsOf } from './customer-benefits';

/** Folds events through the real reservations view, as the projection does. */
function view(events: ReservationEvent[]): ReservationView {
  let document: FoldedDocument<ReservationView> | undefined;
  events.forEach((event, revision) => {
    const writes = reservationsProjection.apply(
      {
        ...event,
        revision,
        position: BigInt(revision),
        id: `e-${revision}`,
        streamId: 'reservation-r-1',
        created: '',
      } as never,
      document ? { 'reservation:r-1': document } : {},
    );
    const put = writes.find((write) => write.kind === 'put');
    document = (put as { document: unknown }).document as FoldedDocument<ReservationView>;
  });
  return document!.state;
}

const provisioned: ReservationEvent = {
  type: 'ReservationProvisioned',
  data: {
    reservationId: 'r-1',
    orderId: 'o-1',
    orderNumber: 'RO-2026-000001',
    lineNumber: 1,
    customerId: 'c-1',
    partnerId: 'p-1',
    catalogItemId: 'ri-standard_d2s_v5-eastus-p1y',
    armSkuName: 'Standard_D2s_v5',
    region: 'eastus',
    flexibilityGroup: 'DSv5 Series',
    ratio: 1,
    quantity: 1,
    term: 'P1Y',
    billingPlan: 'Upfront',
    scope: { type: 'single', subscriptionId: 's-1' },
    appliedSubscriptionIds: ['s-1'],
    effectiveDate: '2026-11-01T00:00:00.000Z',
    expiryDate: '2027-11-01T00:00:00.000Z',
  },
};
const sizeOf = () => ({ flexibilityGroup: 'DSv5 Series', ratio: 1 });
/** A VM in subscription s-2 running the first hour of every day of November. */
const usage: UsageRecord[] = Array.from({ length: 30 }, (_, day) => ({
  recordId: `u-${day}`,
  customerId: 'c-1',
  subscriptionId: 's-2',
  resourceId: 'vm-1',
  region: 'eastus',
  vmSize: 'Standard_D2s_v5',
  hour: new Date(Date.UTC(2026, 10, day + 1)).toISOString(),
  quantity: 1,
  payAsYouGoRateUsd: 0.1,
}));
const coveredDays = (events: ReservationEvent[]) =>
  applyReservationDiscounts(usage, benefitsOf(view(events)), sizeOf)
    .records.filter((r) => r.coveredHours > 0)
    .map((r) => r.hour.slice(8, 10));

describe('discount across a scope change mid-month', () => {
  it('covers another subscription only from the hour after the change to shared', () => {
    // Changed at 10:25 on the 15th: from 11:00 on; the 15th's midnight hour is before it, the 16th's after.
    const changed: ReservationEvent = {
      type: 'ReservationScopeChanged',
      data: {
        reservationId: 'r-1',
        customerId: 'c-1',
        scope: { type: 'shared' },
        appliedSubscriptionIds: ['s-1', 's-2'],
        changedAt: '2026-11-15T10:25:00.000Z',
      },
    };
    expect(coveredDays([provisioned])).toEqual([]);
    expect(coveredDays([provisioned, changed])).toEqual(Array.from({ length: 15 }, (_, i) => String(16 + i)));
  });

  it('stops covering from the hour a reservation is cancelled', () => {
    const shared: ReservationEvent = {
      ...provisioned,
      data: { ...provisioned.data, scope: { type: 'shared' }, appliedSubscriptionIds: ['s-1', 's-2'] },
    };
    const cancelled: ReservationEvent = {
      type: 'ReservationCancelled',
      data: { reservationId: 'r-1', customerId: 'c-1', refundUsd: 10, cancelledAt: '2026-11-10T00:00:00.000Z' },
    };
    expect(coveredDays([shared, cancelled])).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09']);
  });

  it('covers the quantity held in each hour: before a return all of it, from the next whole hour after it only what is left', () => {
    // Two VMs of s-2 on the first hour of every day; a shared reservation of 2 returns 1 at 10:25 on the 15th.
    const twoVms = usage.flatMap((record) => [
      record,
      { ...record, recordId: `${record.recordId}-b`, resourceId: 'vm-2' },
    ]);
    const shared: ReservationEvent = {
      ...provisioned,
      data: { ...provisioned.data, quantity: 2, scope: { type: 'shared' }, appliedSubscriptionIds: ['s-1', 's-2'] },
    };
    const returned: ReservationEvent = {
      type: 'ReservationQuantityReturned',
      data: {
        reservationId: 'r-1',
        customerId: 'c-1',
        cancellationId: 'r-1/return-1',
        quantity: 1,
        remainingQuantity: 1,
        refundUsd: 10,
        returnedAt: '2026-11-15T10:25:00.000Z',
      },
    };
    const benefits = benefitsOf(view([shared, returned]));
    expect(benefits.map((b) => [b.effectiveDate, b.expiryDate, b.quantity])).toEqual([
      ['2026-11-01T00:00:00.000Z', '2026-11-15T11:00:00.000Z', 2],
      ['2026-11-15T11:00:00.000Z', '2027-11-01T00:00:00.000Z', 1],
    ]);
    const coveredPerDay = applyReservationDiscounts(twoVms, benefits, sizeOf).records.reduce<Record<string, number>>(
      (days, r) => {
        days[r.hour.slice(8, 10)] = (days[r.hour.slice(8, 10)] ?? 0) + r.coveredHours;
        return days;
      },
      {},
    );
    expect([coveredPerDay['15'], coveredPerDay['16']]).toEqual([2, 1]);
  });
});
