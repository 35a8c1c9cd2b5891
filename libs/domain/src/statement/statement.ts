import { BillingPlan } from '../catalog/catalog-item';
import { cents, usd } from '../shared/money';

/**
 * A customer's monthly statement: one line per charge or credit, as Partner
 * Center's invoice lists them, so a partner can reconcile the two. Charges
 * are the payments taken; credits are the refunds of cancellations,
 * returns and exchanges. docs/money.md states every rule.
 */
export type StatementLineKind =
  'purchase' | 'renewalPurchase' | 'exchangePurchase' | 'monthlyPayment' | 'refund' | 'exchangeRefund';

export interface StatementLine {
  /** The event it comes from, which names it: one line per event. */
  lineId: string;
  kind: StatementLineKind;
  /** When the charge or credit happened: a payment's due instant, a refund's or an exchange's instant. */
  date: string;
  /** When the system recorded it (the event's time). */
  recordedAt: string;
  /** Recorded after the month of its date had closed, so it stands in the month it was recorded in. */
  late?: true;
  customerId: string;
  subscriptionId: string;
  reservationId: string;
  orderId: string;
  orderNumber: string;
  /** VMs the line is for. */
  quantity: number;
  /** The amount per VM (amount ÷ quantity, to the cent). */
  unitPriceUsd: number;
  /** Positive: a charge; negative: a credit. */
  amountUsd: number;
  paymentNumber?: number;
  source: { stream: string; revision: number; type: string };
}

/** What a charge of a reservation is, by how it was bought: an upfront price is a purchase of its kind; a monthly one's payments are payments. */
export function chargeKind(billingPlan: BillingPlan, boughtBy: 'order' | 'renewal' | 'exchange'): StatementLineKind {
  if (billingPlan === 'Monthly') return 'monthlyPayment';
  return boughtBy === 'renewal' ? 'renewalPurchase' : boughtBy === 'exchange' ? 'exchangePurchase' : 'purchase';
}

/** `YYYY-MM` of an instant, in UTC. */
export const monthOf = (instant: string) => new Date(instant).toISOString().slice(0, 7);

/**
 * When a month closes: 00:00 UTC on the 2nd of the next month, a day after
 * its end, by which the daily pass (00:05) has recorded what fell due in it.
 */
export function monthCloses(month: string): string {
  const [year, monthNumber] = month.split('-').map(Number);
  return new Date(Date.UTC(year, monthNumber, 2)).toISOString();
}

/** The month a line stands in: its date's, unless that month had closed when it was recorded; closed months never change. */
export function statementMonth(date: string, recordedAt: string): { month: string; late: boolean } {
  const month = monthOf(date);
  return Date.parse(recordedAt) >= Date.parse(monthCloses(month))
    ? { month: monthOf(recordedAt), late: true }
    : { month, late: false };
}

/** The amount per VM of a line, to the cent (half a cent away from zero), with the amount's sign: a credit's is negative. */
export const perVm = (amountUsd: number, quantity: number) =>
  quantity > 0 ? Math.sign(amountUsd) * usd(Math.round(Math.abs(cents(amountUsd)) / quantity)) : amountUsd;

export interface StatementTotals {
  chargesUsd: number;
  creditsUsd: number;
  /** Charges less credits. */
  netUsd: number;
}

/** Charges, credits and net, summed in cents; per billing subscription and for the whole customer. */
export function statementTotals(
  lines: readonly StatementLine[],
): StatementTotals & { subscriptions: Array<StatementTotals & { subscriptionId: string }> } {
  const sum = (of: readonly StatementLine[]): StatementTotals => {
    const charges = of.filter((line) => line.amountUsd > 0).reduce((total, line) => total + cents(line.amountUsd), 0);
    const credits = of.filter((line) => line.amountUsd < 0).reduce((total, line) => total - cents(line.amountUsd), 0);
    return { chargesUsd: usd(charges), creditsUsd: usd(credits), netUsd: usd(charges - credits) };
  };
  const subscriptionIds = [...new Set(lines.map((line) => line.subscriptionId))].sort();
  return {
    ...sum(lines),
    subscriptions: subscriptionIds.map((subscriptionId) => ({
      subscriptionId,
      ...sum(lines.filter((line) => line.subscriptionId === subscriptionId)),
    })),
  };
}
