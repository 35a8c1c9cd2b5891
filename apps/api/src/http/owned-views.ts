import { CustomerSnapshot, notFound } from '@app/domain';
import { ownedCustomer } from '@app/ordering';
import { KnownReservation, readCustomer, readReservation, ViewReader } from '@app/projections';

/** The customer from the customers view, if the partner owns it; otherwise 404. */
export async function customerFromView(
  views: ViewReader,
  customerId: string,
  partnerId: string,
): Promise<{ customer: CustomerSnapshot; revision: bigint }> {
  const document = await readCustomer(views, customerId);
  const customer = ownedCustomer(document?.state ?? { status: 'unregistered' }, customerId, partnerId);
  return { customer, revision: BigInt(document!.revision) };
}

/** The reservation from the reservations view, if the partner bought it; otherwise 404. */
export async function reservationFromView(
  views: ViewReader,
  reservationId: string,
  partnerId: string,
): Promise<{ reservation: KnownReservation; revision: number }> {
  const document = await readReservation(views, reservationId);
  const reservation = document?.state;
  if (!reservation || reservation.status === 'none' || reservation.partnerId !== partnerId)
    throw notFound('RESERVATION_NOT_FOUND', `reservation ${reservationId} not found`);
  return { reservation, revision: document.revision };
}
