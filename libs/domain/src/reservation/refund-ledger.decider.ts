import { addMonths } from '../shared/calendar';
import { Decider, Message } from '../shared/decider';
import { DomainError, illegalState } from '../shared/domain-error';
import { cents, usd } from '../shared/money';

/** Partner Center's cap on cancellation refunds: per customer, over a rolling 12 months. */
export const REFUND_CAP_USD = 50_000;

export interface Refund {
  /** The cancellation that made this refund; a reversal names it too. */
  cancellationId: string;
  reservationId: string;
  /** The reservation order holding the reservation (absent on older events). */
  orderId?: string;
  amountUsd: number;
  refundedAt: string;
  /** A cancellation returns the whole reservation; a return, part of its quantity (absent on older events: a cancellation). */
  kind?: RefundKind;
  /** The units refunded: all the reservation held at the quote, or the quantity returned (absent on older events). */
  quantity?: number;
  /** What counts toward the cap when it is not the refund itself: a monthly reservation's cancelled commitment, at the purchase price. */
  countedUsd?: number;
  /** The reservation order's revision the request named (If-Match): the return is made at that revision or not at all. */
  expectedOrderRevision?: number;
}

/** What a refund counts toward the cap. */
export const countedUsd = (refund: Pick<Refund, 'amountUsd' | 'countedUsd'>) => refund.countedUsd ?? refund.amountUsd;

export type RefundKind = 'cancellation' | 'return';

export type RefundLedgerEvent =
  | Message<'RefundRecorded', { customerId: string } & Omit<Refund, 'cancellationId'> & { cancellationId?: string }>
  /** The cancellation the refund was recorded for did not happen (the reservation had changed meanwhile). */
  | Message<
      'RefundReversed',
      { customerId: string; reservationId: string; cancellationId?: string; reason: string; reversedAt: string }
    >;
export type RefundLedgerCommand =
  | Message<
      'RecordRefund',
      {
        customerId: string;
        cancellationId: string;
        reservationId: string;
        orderId: string;
        amountUsd: number;
        kind?: RefundKind;
        quantity?: number;
        countedUsd?: number;
        expectedOrderRevision?: number;
        now: string;
      }
    >
  | Message<
      'ReverseRefund',
      { customerId: string; cancellationId: string; reservationId: string; reason: string; now: string }
    >;
export type RefundLedger = {
  /** Refunds that count toward the cap. */
  refunds: Refund[];
  /** Refunds whose cancellation did not happen; kept so each cancellation id is used once. */
  reversed: Refund[];
};

/** Events written before refunds were keyed by their cancellation carry none: one per reservation then. */
const legacyCancellationId = (reservationId: string) => `legacy/${reservationId}`;

/**
 * The id of the next cancellation of a reservation: the same for every
 * request that races to cancel it, and a new one after a reversal.
 */
export const nextCancellationId = (ledger: RefundLedger, reservationId: string) =>
  `${reservationId}/cancellation-${ledger.reversed.filter((refund) => refund.reservationId === reservationId).length + 1}`;

/** The cancellation refund that counts for a reservation now, if any: at most one at a time. Returns of part of it are not cancellations. */
export const openRefundFor = (ledger: RefundLedger, reservationId: string): Refund | undefined =>
  ledger.refunds.find((refund) => refund.reservationId === reservationId && refund.kind !== 'return');

/**
 * The id of a return of part of a reservation, the same for every attempt of
 * one request, so the ledger counts it once however often it is sent: from
 * the request's Idempotency-Key when it has one (a retry after a crash names
 * the same return), otherwise from the reservation order's revision it was
 * decided on (requests that race from one revision, or a retry sent with the
 * same If-Match before the first was settled). A later return is decided on a
 * later revision, so it gets an id of its own.
 */
export const returnIdFor = (reservationId: string, basis: { requestId?: string; revision: bigint }) =>
  basis.requestId === undefined
    ? `${reservationId}/return-at-${basis.revision}`
    : `${reservationId}/return-${basis.requestId}`;

/** The refund recorded under a cancellation id, if any. */
export const refundOf = (ledger: RefundLedger, cancellationId: string): Refund | undefined =>
  ledger.refunds.find((refund) => refund.cancellationId === cancellationId);

export const refundLedgerStream = (customerId: string) => `refund-ledger-${customerId}`;

/** The start of the rolling window that ends at `now`: the same instant twelve months earlier. */
export function refundWindowStart(now: string): string {
  // Twelve calendar months back: from 29 February, the 28th of the year before (not 1 March).
  return addMonths(now, -12);
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
  // No upper bound at `now`: a request whose clock read earlier than a refund another one recorded first must still count it.
  const usedCents = ledger.refunds
    .filter((r) => r.refundedAt > windowStart)
    .reduce((total, r) => total + cents(countedUsd(r)), 0);
  return {
    capUsd: REFUND_CAP_USD,
    usedUsd: usd(usedCents),
    remainingUsd: usd(Math.max(0, cents(REFUND_CAP_USD) - usedCents)),
    windowStart,
  };
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
 * A reservation has at most one refund that counts: a second cancellation of
 * it (a retry, or a request racing the first) records nothing and goes on
 * with the first one's cancellation id.
 */
export const refundLedgerDecider: Decider<RefundLedger, RefundLedgerCommand, RefundLedgerEvent> = {
  initialState: () => ({ refunds: [], reversed: [] }),
  decide(command, state) {
    if (command.type === 'ReverseRefund') {
      const { customerId, cancellationId, reservationId, reason, now } = command.data;
      if (!state.refunds.some((refund) => refund.cancellationId === cancellationId)) return [];
      return [{ type: 'RefundReversed', data: { customerId, reservationId, cancellationId, reason, reversedAt: now } }];
    }
    const {
      customerId,
      cancellationId,
      reservationId,
      orderId,
      amountUsd,
      kind,
      quantity,
      countedUsd: counted,
      expectedOrderRevision,
      now,
    } = command.data;
    if (refundOf(state, cancellationId)) return []; // a retry, or a request racing it under the same id
    if (kind !== 'return' && openRefundFor(state, reservationId)) return [];
    if (state.reversed.some((refund) => refund.cancellationId === cancellationId)) {
      throw illegalState(
        'CANCELLATION_REVERSED',
        `cancellation ${cancellationId} was reversed and cannot be recorded again`,
      );
    }
    const allowance = refundAllowance(state, now);
    const counting = counted ?? amountUsd;
    if (cents(counting) > cents(allowance.remainingUsd)) throw new RefundCapExceeded(counting, allowance);
    return [
      {
        type: 'RefundRecorded',
        data: {
          customerId,
          cancellationId,
          reservationId,
          orderId,
          amountUsd,
          ...(kind ? { kind } : {}),
          ...(quantity !== undefined ? { quantity } : {}),
          ...(counted !== undefined ? { countedUsd: counted } : {}),
          ...(expectedOrderRevision !== undefined ? { expectedOrderRevision } : {}),
          refundedAt: now,
        },
      },
    ];
  },
  evolve(state, event) {
    if (event.type === 'RefundRecorded') {
      const { customerId: _customer, ...refund } = event.data;
      return {
        ...state,
        refunds: [
          ...state.refunds,
          { ...refund, cancellationId: refund.cancellationId ?? legacyCancellationId(refund.reservationId) },
        ],
      };
    }
    const cancellationId = event.data.cancellationId ?? legacyCancellationId(event.data.reservationId);
    const reversing = state.refunds.filter((refund) => refund.cancellationId === cancellationId);
    return {
      refunds: state.refunds.filter((refund) => refund.cancellationId !== cancellationId),
      reversed: [...state.reversed, ...reversing],
    };
  },
};
