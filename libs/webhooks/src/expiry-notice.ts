import { Notification, notificationId } from './notification';

const DAY_MS = 86_400_000;
/** Days before expiry a partner is told of a renewal coming, or of an expiry when auto-renew is off, as Azure's notices. */
export const NOTICE_DAYS = [30, 7] as const;

/** What the notice needs of a reservation (the reservations view's document). */
export interface NoticedReservation {
  reservationId: string;
  orderId: string;
  partnerId: string;
  customerId: string;
  status: string;
  expiryDate: string;
  endedAt?: string;
  autoRenew: boolean;
  quantity: number;
  term: string;
  billingPlan: string;
  armSkuName: string;
  region: string;
  renewalSettings?: { quantity: number; term: string; billingPlan: string };
  /** Locked 30 days before expiry. */
  renewalUnitPriceUsd?: number;
}

/**
 * The notice a reservation is due at `now`, as of the Clock: the nearest of
 * 30 and 7 days before expiry that has been reached, while it has not
 * expired. Auto-renew on: `reservation.renewal_upcoming` with what the
 * renewal will buy and its price; off: `reservation.expiring`. Its id names
 * the reservation, its expiry and the day count, so each is sent once
 * whichever pass finds it; its time is the instant it fell due.
 */
export function expiryNoticeDue(
  reservation: NoticedReservation,
  now: string,
  marketUnitPriceUsd?: number,
): Notification | undefined {
  const nowMs = Date.parse(now);
  const expiryMs = Date.parse(reservation.expiryDate);
  if (reservation.status !== 'Succeeded' || reservation.endedAt !== undefined || nowMs >= expiryMs) return undefined;
  const days = [...NOTICE_DAYS].sort((a, b) => a - b).find((d) => nowMs >= expiryMs - d * DAY_MS);
  if (days === undefined) return undefined;
  const renews = reservation.autoRenew;
  const type = renews ? 'reservation.renewal_upcoming' : 'reservation.expiring';
  const settings = reservation.renewalSettings ?? {
    quantity: reservation.quantity,
    term: reservation.term,
    billingPlan: reservation.billingPlan,
  };
  const unitPriceUsd = reservation.renewalUnitPriceUsd ?? marketUnitPriceUsd;
  return {
    id: notificationId('expiry-notice', reservation.reservationId, reservation.expiryDate, String(days)),
    type,
    occurredAt: new Date(expiryMs - days * DAY_MS).toISOString(),
    partnerId: reservation.partnerId,
    subject: reservation.reservationId,
    data: {
      reservationId: reservation.reservationId,
      customerId: reservation.customerId,
      expiryDate: reservation.expiryDate,
      daysBeforeExpiry: days,
      autoRenew: renews,
      ...(renews
        ? {
            renewal: {
              ...settings,
              armSkuName: reservation.armSkuName,
              region: reservation.region,
              ...(unitPriceUsd !== undefined
                ? { unitPriceUsd, priceLocked: reservation.renewalUnitPriceUsd !== undefined }
                : {}),
            },
          }
        : {}),
    },
    links: { reservation: `/v1/reservations/${reservation.reservationId}`, order: `/v1/orders/${reservation.orderId}` },
  };
}
