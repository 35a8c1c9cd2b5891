import { Decider, Message } from '../shared/decider';
import { DomainError } from '../shared/domain-error';
import { cents, usd } from '../shared/money';

/** Partner Center's cap on cancellation refunds: per customer, over a rolling 12 months. */
export const REFUND_CAP_USD = 50_000;

export interface Refund {
  reservationId: string;
  amountUsd: number;
  refundedAt: string;
}

export type RefundLedgerEvent =
  | Message<'RefundRecorded', { customerId: string } & Refund>
  /** The cancellation the refund was recorded for did not happen (the reservation had changed meanwhile). */
  | Message<'RefundReversed', { customerId: string; reservationId: string; reason: string; reversedAt: string }>;
export type RefundLedgerCommand =
  | Message<'RecordRefund', { customerId: string; reservationId: string; amountUsd: number; now: string }>
  | Message<'ReverseRefund', { customerId: string; reservationId: string; reason: string; now: string }>;
export type RefundLedger = { refunds: Refund[] };

export const refundLedgerStream = (customerId: string) => `refund-ledger-${customerId}`;

/** The start of the rolling window that ends at `now`: the same instant twelve months earlier. */
export function refundWindowStart(now: string): string {
  const start = new Date(now);
  start.setUTCFullYear(start.getUTCFullYear() - 1);
  return start.toISOString();
}

export interface RefundAllowance {
  capUsd: number;
  usedUsd: number;
  remainingUsd: number;
  windowStart: string;
}

/** What the customer has been refunded in the window ending `now`, and what is left. */
export function refundAllowance(ledger: RefundLedger, now: string): RefundAllowance {
  const windowStart = refundWindowStart(now);
  const usedCents = ledger.refunds.filter((r) => r.refundedAt > windowStart && r.refundedAt <= now).reduce((total, r) => total + cents(r.amountUsd), 0);
  return { capUsd: REFUND_CAP_USD, usedUsd: usd(usedCents), remainingUsd: usd(Math.max(0, cents(REFUND_CAP_USD) - usedCents)), windowStart };
}

/** Over the cap: refused, saying how much is left. */
export class RefundCapExceeded extends DomainError {
  constructor(
    readonly requestedUsd: number,
    readonly allowance: RefundAllowance,
  ) {
    super(
      'REFUND_CAP_EXCEEDED',
      `a refund of USD ${requestedUsd.toFixed(2)} exceeds the customer's remaining refund allowance of USD ${allowance.remainingUsd.toFixed(2)} ` +
        `(cap USD ${allowance.capUsd.toFixed(2)} per rolling 12 months; USD ${allowance.usedUsd.toFixed(2)} refunded since ${allowance.windowStart})`,
      'rule',
      { requestedUsd, allowance },
    );
  }
}

/**
 * One stream per customer holds its refunds, so two cancellations racing for
 * the last of the allowance are ordered by the stream's expected revision.
 */
export const refundLedgerDecider: Decider<RefundLedger, RefundLedgerCommand, RefundLedgerEvent> = {
  initialState: () => ({ refunds: [] }),
  decide(command, state) {
    if (command.type === 'ReverseRefund') {
      const { customerId, reservationId, reason, now } = command.data;
      if (!state.refunds.some((refund) => refund.reservationId === reservationId)) return [];
      return [{ type: 'RefundReversed', data: { customerId, reservationId, reason, reversedAt: now } }];
    }
    const { customerId, reservationId, amountUsd, now } = command.data;
    if (state.refunds.some((refund) => refund.reservationId === reservationId)) return []; // a retry of the same cancellation
    const allowance = refundAllowance(state, now);
    if (cents(amountUsd) > cents(allowance.remainingUsd)) throw new RefundCapExceeded(amountUsd, allowance);
    return [{ type: 'RefundRecorded', data: { customerId, reservationId, amountUsd, refundedAt: now } }];
  },
  evolve: (state, event) =>
    event.type === 'RefundRecorded'
      ? { refunds: [...state.refunds, { reservationId: event.data.reservationId, amountUsd: event.data.amountUsd, refundedAt: event.data.refundedAt }] }
      : { refunds: state.refunds.filter((refund) => refund.reservationId !== event.data.reservationId) },
};
