import { Decider, Message } from '../shared/decider';
import { ReservationEvent, ReservationProvisionedData } from './reservation.events';

export type ReservationCommand = Message<'RecordProvisionedReservation', ReservationProvisionedData>;

export type Reservation = { status: 'none' } | (ReservationProvisionedData & { status: 'provisioned' });

const addYears = (iso: string, years: number) => {
  const date = new Date(iso);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.toISOString();
};

/** A reservation ends one or three years after it takes effect. */
export const expiryFor = (effectiveDate: string, term: 'P1Y' | 'P3Y') => addYears(effectiveDate, term === 'P1Y' ? 1 : 3);

/** A reservation stream records its provisioning once; recording it again is a no-op. */
export const reservationDecider: Decider<Reservation, ReservationCommand, ReservationEvent> = {
  initialState: () => ({ status: 'none' }),
  decide: (command, state) => (state.status === 'none' ? [{ type: 'ReservationProvisioned', data: command.data }] : []),
  evolve: (_state, event) => ({ ...event.data, status: 'provisioned' }),
};
