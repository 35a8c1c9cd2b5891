import { ReservationProvisionedData } from '../src/reservation/reservation.events';

/** A provisioned reservation for the specs: three D4s_v5 in West Europe for a year, shared, bought at USD 1,000 a unit. */
export const provisionedReservation = (
  overrides: Partial<ReservationProvisionedData> = {},
): ReservationProvisionedData => ({
  reservationId: 'r-1',
  orderId: 'o-1',
  orderNumber: 'RO-2026-000001',
  lineNumber: 1,
  customerId: 'c-1',
  partnerId: 'p-1',
  catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y',
  armSkuName: 'Standard_D4s_v5',
  region: 'westeurope',
  flexibilityGroup: 'DSv5 Series',
  ratio: 2,
  quantity: 3,
  term: 'P1Y',
  billingPlan: 'Monthly',
  scope: { type: 'shared' },
  appliedSubscriptionIds: ['s-1', 's-2'],
  effectiveDate: '2026-02-28T12:00:00.000Z',
  expiryDate: '2027-02-28T12:00:00.000Z',
  unitPriceUsd: 1_000,
  ...overrides,
});
