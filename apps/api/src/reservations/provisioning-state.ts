import { KnownReservation } from '@app/projections';

/** Azure's provisioningState: an ended reservation says how it ended; a live one may not have started or may be past its end. */
export function provisioningState(reservation: KnownReservation, now: string): string {
  if (reservation.status !== 'Succeeded') return reservation.status;
  return now < reservation.effectiveDate ? 'Pending' : now >= reservation.expiryDate ? 'Expired' : 'Succeeded';
}
