import { ReservationEvent, ReservationProvisionedData } from '@app/domain';
import { foldingProjection } from './folding-projection';

export type ReservationView = { status: 'none' } | (ReservationProvisionedData & { status: 'provisioned' });

/** Reservations of a customer, created by fulfilment, indexed by effective date. */
export const reservationsProjection = foldingProjection<ReservationView, ReservationEvent>({
  name: 'reservations',
  eventTypes: ['ReservationProvisioned'],
  documentKey: (event) => `reservation:${event.data.reservationId}`,
  evolve: (_state, event) => ({ ...event.data, status: 'provisioned' }),
  initialState: () => ({ status: 'none' }),
  indexes: (_state, event) => [{ key: `customer:${event.data.customerId}`, score: Date.parse(event.data.effectiveDate), member: event.data.reservationId }],
});
