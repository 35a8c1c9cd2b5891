import { Notification, notificationId } from './notification';

const DAY_MS = 86_400_000;
export const UTILIZATION_WINDOW_DAYS = 7;

/** What the notice needs of a reservation (the reservations view's document). */
export interface UtilizedReservation {
  reservationId: string;
  orderId: string;
  partnerId: string;
  customerId: string;
  status: string;
  quantity: number;
  effectiveDate: string;
  expiryDate: string;
  endedAt?: string;
}

/**
 * A reservation's use over the 7 whole UTC days before `now` (the Clock's),
 * idle days counted as 0% (use it or lose it), as `reservation.utilization_low`:
 * published when it is under the highest threshold the partner's endpoints
 * set, and delivered to each endpoint whose threshold it is under. Only a
 * reservation in effect for the whole window is judged. The id names the
 * reservation and the window, so a window is told once.
 */
export function utilizationNotice(
  reservation: UtilizedReservation,
  usedHoursByDate: Record<string, number>,
  now: string,
): (Notification & { utilizationPercent: number }) | undefined {
  const to = Math.floor(Date.parse(now) / DAY_MS) * DAY_MS;
  const from = to - UTILIZATION_WINDOW_DAYS * DAY_MS;
  if (reservation.status !== 'Succeeded' || reservation.endedAt !== undefined) return undefined;
  if (Date.parse(reservation.effectiveDate) > from || Date.parse(reservation.expiryDate) < to) return undefined;
  let usedHours = 0;
  for (let day = from; day < to; day += DAY_MS)
    usedHours += usedHoursByDate[new Date(day).toISOString().slice(0, 10)] ?? 0;
  const reservedHours = reservation.quantity * 24 * UTILIZATION_WINDOW_DAYS;
  const utilizationPercent = Math.round((usedHours / reservedHours) * 10_000) / 100;
  const window = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  return {
    id: notificationId('utilization-low', reservation.reservationId, window.to),
    type: 'reservation.utilization_low',
    occurredAt: window.to,
    partnerId: reservation.partnerId,
    subject: reservation.reservationId,
    utilizationPercent,
    data: {
      reservationId: reservation.reservationId,
      customerId: reservation.customerId,
      ...window,
      usedHours: Math.round(usedHours * 100) / 100,
      reservedHours,
      utilizationPercent,
    },
    links: {
      reservation: `/v1/reservations/${reservation.reservationId}`,
      utilization: `/v1/reservations/${reservation.reservationId}/utilization`,
    },
  };
}
