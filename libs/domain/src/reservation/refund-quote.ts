import { cents, usd } from '../shared/money';
import { ActiveReservation, termStartOf } from './reservation';

const DAY_MS = 86_400_000;

export interface RefundQuote {
  refundUsd: number;
  /** Share of the term still to run, 0..1: remainingDays ÷ termDays. */
  remainingShare: number;
  /** Whole days of the term still to run, today counted; and the term's days. Amounts are computed from these, in whole cents. */
  remainingDays: number;
  termDays: number;
  /** The lower of the purchase price and today's price, per unit for the whole term. */
  unitPriceUsd: number;
}

/**
 * The prorated remaining value: the share of the term still to run, counted
 * in whole days as Azure does (today counts as remaining), times the
 * quantity returned (all of it by default), at the lower of the purchase price and today's price.
 */
export function refundQuote(
  reservation: ActiveReservation,
  currentUnitPriceUsd: number,
  now: string,
  quantity = reservation.quantity,
): RefundQuote {
  const end = Date.parse(reservation.expiryDate);
  const start = new Date(termStartOf(reservation));
  const termDays = Math.round((end - start.getTime()) / DAY_MS);
  const daysBegun = Math.floor((Date.parse(now) - start.getTime()) / DAY_MS);
  const remainingDays = Date.parse(now) >= end ? 0 : Math.min(termDays, Math.max(0, termDays - daysBegun));
  const unitPriceUsd = Math.min(reservation.unitPriceUsd ?? currentUnitPriceUsd, currentUnitPriceUsd);
  // Integers throughout: a share in floating point loses the cent an exact quotient would keep.
  const refundCents = Math.floor((cents(unitPriceUsd) * quantity * remainingDays) / termDays);
  return {
    refundUsd: usd(refundCents),
    remainingShare: remainingDays / termDays,
    remainingDays,
    termDays,
    unitPriceUsd,
  };
}
