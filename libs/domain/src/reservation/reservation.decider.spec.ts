import { deciderSpecification } from '../shared/decider-specification';
import { expiryFor, reservationDecider } from './reservation.decider';
import { ReservationProvisionedData } from './reservation.events';

const spec = deciderSpecification(reservationDecider);
const data: ReservationProvisionedData = {
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
};

describe('reservation decider', () => {
  it('records a provisioned reservation', () =>
    spec.given([]).when({ type: 'RecordProvisionedReservation', data }).then([{ type: 'ReservationProvisioned', data }]));

  it('records it only once, however often fulfilment retries', () =>
    spec.given([{ type: 'ReservationProvisioned', data }]).when({ type: 'RecordProvisionedReservation', data }).thenNothingHappens());

  it('expires one or three years after it takes effect', () => {
    expect(expiryFor('2026-02-28T12:00:00.000Z', 'P1Y')).toBe('2027-02-28T12:00:00.000Z');
    expect(expiryFor('2026-02-28T12:00:00.000Z', 'P3Y')).toBe('2029-02-28T12:00:00.000Z');
  });
});
