import { TERM_MONTHS } from '../catalog/catalog-item';
import { addMonths } from '../shared/calendar';
import { cents, usd } from '../shared/money';
import { refundQuote } from './refund-quote';
import { ActiveReservation, quantityAt, termStartOf } from './reservation';
import { ReservationEvent, ReservationProvisionedData } from './reservation.events';

export interface ScheduledPayment {
  /** 1 for the payment at purchase. */
  paymentNumber: number;
  dueAt: string;
  amountUsd: number;
  /** The VMs it is for: those held when it falls due. */
  quantity: number;
}

type Scheduled = Pick<
  ActiveReservation,
  | 'billingPlan'
  | 'term'
  | 'unitPriceUsd'
  | 'quantity'
  | 'returns'
  | 'effectiveDate'
  | 'expiryDate'
  | 'payments'
  | 'purchasedAt'
  | 'origin'
>;

/**
 * What a reservation is paid in. Upfront: the whole price as it takes effect.
 * Monthly: one payment at purchase and one on each monthly anniversary after
 * (a day the month lacks is its last day), for every month of the term;
 * equal but for the last, which takes the rounding, so the total is exactly
 * the upfront price. A payment covers the VMs held when it falls due, so a
 * return lowers the payments after it. A reservation split or merged from
 * others goes on with their schedule.
 */
export function paymentSchedule(reservation: Scheduled): ScheduledPayment[] {
  const unitCents = cents(reservation.unitPriceUsd ?? 0);
  if (reservation.billingPlan !== 'Monthly') {
    const held = quantityAt(reservation, Date.parse(reservation.effectiveDate));
    return [{ paymentNumber: 1, dueAt: reservation.effectiveDate, amountUsd: usd(unitCents * held), quantity: held }];
  }
  const months = TERM_MONTHS[reservation.term];
  const perMonth = Math.floor(unitCents / months);
  return Array.from({ length: months }, (_, i) => {
    const dueAt = addMonths(reservation.payments?.startDate ?? termStartOf(reservation), i);
    const unit = i === months - 1 ? unitCents - perMonth * (months - 1) : perMonth;
    const held = quantityAt(reservation, Date.parse(dueAt));
    return { paymentNumber: i + 1, dueAt, amountUsd: usd(unit * held), quantity: held };
  });
}

/** The monthly payments fallen due by `now` and not yet recorded, while the reservation still applies. */
export function duePayments(reservation: ActiveReservation, now: string): ScheduledPayment[] {
  if (reservation.billingPlan !== 'Monthly' || reservation.status !== 'Succeeded') return [];
  const recorded = reservation.paymentsRecorded ?? 0;
  return paymentSchedule(reservation).filter(
    (payment) => payment.paymentNumber > recorded && payment.dueAt <= now && payment.dueAt < reservation.expiryDate,
  );
}

export interface MonthlyCancellation {
  /** Money back: what was paid ahead for the days that remain, at the lower of the purchase and current price. */
  refundUsd: number;
  /** What counts toward the USD 50,000 cap: the commitment cancelled at the purchase price, future payments included. */
  countedUsd: number;
  /** The payments that will not be taken. */
  cancelledFuturePaymentsUsd: number;
}

/**
 * Cancelling (or returning `units` of) a monthly reservation, as Azure's
 * refund policy says: the future payments stop and count toward the cap; the
 * cap counts the cancelled commitment at the purchase price; the refund of
 * what was paid ahead uses the lower of the purchase and current price.
 */
export function monthlyCancellation(
  reservation: ActiveReservation,
  currentUnitPriceUsd: number,
  now: string,
  units = reservation.quantity,
): MonthlyCancellation {
  const purchaseUnitUsd = reservation.unitPriceUsd ?? currentUnitPriceUsd;
  const {
    remainingDays,
    termDays,
    unitPriceUsd: lowerUnitUsd,
  } = refundQuote(reservation, currentUnitPriceUsd, now, units);
  const commitmentCents = Math.floor((cents(purchaseUnitUsd) * units * remainingDays) / termDays);
  // Payments fallen due and not yet recorded are recorded with the cancellation or return: paid, not cancelled.
  const recorded = (reservation.paymentsRecorded ?? 0) + duePayments(reservation, now).length;
  const futureCents = paymentSchedule(reservation)
    .filter((payment) => payment.paymentNumber > recorded && payment.dueAt < reservation.expiryDate)
    .reduce(
      (total, payment) => total + Math.round((cents(payment.amountUsd) * units) / Math.max(1, reservation.quantity)),
      0,
    );
  const paidAheadCents = Math.max(0, commitmentCents - futureCents);
  const refundCents = Math.floor((paidAheadCents * cents(lowerUnitUsd)) / cents(purchaseUnitUsd));
  return {
    refundUsd: usd(refundCents),
    countedUsd: usd(commitmentCents),
    cancelledFuturePaymentsUsd: usd(futureCents),
  };
}

/**
 * A reservation's first payment (an upfront one's only) falls due as it is
 * bought: it is taken in the same append. A part of a split or merge pays
 * nothing then: its sources paid.
 */
export function paymentsAtPurchase(reservation: ReservationProvisionedData, now: string): ReservationEvent[] {
  if (reservation.payments) return [];
  return paymentSchedule(reservation)
    .slice(0, 1)
    .map((payment) => ({
      type: 'ReservationPaymentRecorded',
      data: {
        reservationId: reservation.reservationId,
        customerId: reservation.customerId,
        ...payment,
        recordedAt: now,
      },
    }));
}
