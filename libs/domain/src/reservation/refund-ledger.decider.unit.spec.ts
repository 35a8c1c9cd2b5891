import { deciderSpecification } from '../../testing/decider-specification';
import { fold } from '../shared/decider';
import {
  nextCancellationId,
  returnIdFor,
  openRefundFor,
  RefundLedgerCommand,
  RefundLedgerEvent,
  refundAllowance,
  refundLedgerDecider,
  refundWindowStart,
} from './refund-ledger.decider';

const spec = deciderSpecification(refundLedgerDecider);
const now = '2026-11-25T12:00:00.000Z';
const cancellation = (reservationId: string, n = 1) => `${reservationId}/cancellation-${n}`;
const refund = (
  reservationId: string,
  amountUsd: number,
  refundedAt: string,
  n = 1,
): Extract<RefundLedgerEvent, { type: 'RefundRecorded' }> => ({
  type: 'RefundRecorded',
  data: {
    customerId: 'c-1',
    cancellationId: cancellation(reservationId, n),
    reservationId,
    orderId: 'o-1',
    amountUsd,
    refundedAt,
  },
});
const record = (reservationId: string, amountUsd: number, n = 1): RefundLedgerCommand => ({
  type: 'RecordRefund',
  data: {
    customerId: 'c-1',
    cancellationId: cancellation(reservationId, n),
    reservationId,
    orderId: 'o-1',
    amountUsd,
    now,
  },
});
const reverse = (reservationId: string, n = 1): RefundLedgerCommand => ({
  type: 'ReverseRefund',
  data: {
    customerId: 'c-1',
    cancellationId: cancellation(reservationId, n),
    reservationId,
    reason: 'split meanwhile',
    now,
  },
});
const reversed = (reservationId: string, n = 1): RefundLedgerEvent => ({
  type: 'RefundReversed',
  data: {
    customerId: 'c-1',
    reservationId,
    cancellationId: cancellation(reservationId, n),
    reason: 'split meanwhile',
    reversedAt: now,
  },
});

describe('refund ledger', () => {
  it('records a refund within the allowance, keyed by its cancellation', () =>
    spec
      .given([refund('r-1', 30_000, '2026-06-01T00:00:00.000Z')])
      .when(record('r-2', 20_000))
      .then([refund('r-2', 20_000, now)]));

  it('refuses a refund over the USD 50,000 cap, naming the remaining allowance', () => {
    const attempt = () =>
      refundLedgerDecider.decide(
        record('r-2', 20_000.01),
        fold(refundLedgerDecider, [refund('r-1', 30_000, '2026-06-01T00:00:00.000Z')]),
      );
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'REFUND_CAP_EXCEEDED',
        message: expect.stringContaining('remaining refund allowance of USD 20000.00'),
      }),
    );
  });

  it('counts a rolling 12 months: a refund exactly a year old has left the window', () => {
    const yearAgo = '2025-11-25T12:00:00.000Z';
    const justInside = '2025-11-25T12:00:00.001Z';
    spec
      .given([refund('r-1', 50_000, yearAgo)])
      .when(record('r-2', 50_000))
      .then([refund('r-2', 50_000, now)]);
    spec
      .given([refund('r-1', 50_000, justInside)])
      .when(record('r-2', 0.01))
      .thenRefuses('REFUND_CAP_EXCEEDED');
  });

  it('allows exactly the cap', () =>
    spec
      .given([refund('r-1', 49_999.99, '2026-06-01T00:00:00.000Z')])
      .when(record('r-2', 0.01))
      .then([refund('r-2', 0.01, now)]));

  it('records one refund per reservation, however often the cancellation is retried', () =>
    spec
      .given([refund('r-1', 50_000, now)])
      .when(record('r-1', 50_000))
      .thenNothingHappens());

  it('race: two cancellations of one reservation arriving at once count one refund (the second decides on the first one’s append)', () => {
    // Both requests computed the same cancellation id from the ledger they read.
    const ledger = fold(refundLedgerDecider, []);
    expect(nextCancellationId(ledger, 'r-1')).toBe(cancellation('r-1'));
    spec
      .given([refund('r-1', 1_186.53, now)])
      .when(record('r-1', 1_186.54))
      .thenNothingHappens();
    const after = fold(refundLedgerDecider, [refund('r-1', 1_186.53, now)]);
    expect(openRefundFor(after, 'r-1')).toMatchObject({ cancellationId: cancellation('r-1'), amountUsd: 1_186.53 });
    expect(refundAllowance(after, now).usedUsd).toBe(1_186.53);
  });

  it('reports the allowance used and left', () =>
    expect(
      refundAllowance(fold(refundLedgerDecider, [refund('r-1', 12_345.67, '2026-06-01T00:00:00.000Z')]), now),
    ).toEqual({
      capUsd: 50_000,
      usedUsd: 12_345.67,
      remainingUsd: 37_654.33,
      windowStart: '2025-11-25T12:00:00.000Z',
    }));

  it('reverses a refund whose cancellation did not happen, giving the allowance back', () => {
    spec
      .given([refund('r-1', 50_000, now)])
      .when(reverse('r-1'))
      .then([reversed('r-1')]);
    spec
      .given([refund('r-1', 50_000, now), reversed('r-1')])
      .when(record('r-2', 50_000))
      .then([refund('r-2', 50_000, now)]);
    spec.given([]).when(reverse('r-1')).thenNothingHappens();
  });

  it('race: a reversal reverses only the refund its own cancellation recorded', () => {
    // The first cancellation was reversed (lost to a split); a later one of the same reservation has its own id and stays counted.
    spec
      .given([refund('r-1', 100, now), reversed('r-1'), refund('r-1', 90, now, 2)])
      .when(reverse('r-1'))
      .thenNothingHappens();
    const ledger = fold(refundLedgerDecider, [
      refund('r-1', 100, now),
      reversed('r-1'),
      refund('r-1', 90, now, 2),
      reversed('r-1'),
    ]);
    expect(refundAllowance(ledger, now).usedUsd).toBe(90);
  });

  it('gives a reservation a new cancellation id after a reversal, and refuses to record a reversed one again', () => {
    const ledger = fold(refundLedgerDecider, [refund('r-1', 100, now), reversed('r-1')]);
    expect(nextCancellationId(ledger, 'r-1')).toBe(cancellation('r-1', 2));
    spec
      .given([refund('r-1', 100, now), reversed('r-1')])
      .when(record('r-1', 100))
      .thenRefuses('CANCELLATION_REVERSED');
  });

  describe('returns of part of a reservation', () => {
    const returnOf = (reservationId: string, quantity: number, amountUsd: number, n = 1): RefundLedgerCommand => ({
      type: 'RecordRefund',
      data: {
        customerId: 'c-1',
        cancellationId: `${reservationId}/return-${n}`,
        reservationId,
        orderId: 'o-1',
        amountUsd,
        kind: 'return',
        quantity,
        now,
      },
    });
    const returned = (reservationId: string, quantity: number, amountUsd: number, n = 1): RefundLedgerEvent => ({
      type: 'RefundRecorded',
      data: {
        customerId: 'c-1',
        cancellationId: `${reservationId}/return-${n}`,
        reservationId,
        orderId: 'o-1',
        amountUsd,
        kind: 'return',
        quantity,
        refundedAt: now,
      },
    });

    it('records each return of a reservation as its own refund, all counting toward the cap', () => {
      spec
        .given([returned('r-1', 1, 100)])
        .when(returnOf('r-1', 1, 100, 2))
        .then([returned('r-1', 1, 100, 2)]);
      const ledger = fold(refundLedgerDecider, [returned('r-1', 1, 100), returned('r-1', 1, 100, 2)]);
      expect(refundAllowance(ledger, now).usedUsd).toBe(200);
    });

    it('names a return after the request, so every attempt of it is the same return: its Idempotency-Key, or else the revision it was decided on', () => {
      expect(returnIdFor('r-1', { requestId: 'k-7', revision: 4n })).toBe('r-1/return-k-7');
      expect(returnIdFor('r-1', { revision: 4n })).toBe('r-1/return-at-4');
      // A later return is decided on a later revision: an id of its own.
      expect(returnIdFor('r-1', { revision: 5n })).not.toBe(returnIdFor('r-1', { revision: 4n }));
    });

    it('race: two identical returns at once share one id, so the second writes nothing', () =>
      spec
        .given([returned('r-1', 1, 100)])
        .when(returnOf('r-1', 1, 100))
        .thenNothingHappens());

    it('race: a request that read the clock before another recorded its refund still counts that refund toward the cap', () => {
      const recordedLater = '2026-12-31T23:59:59.000Z';
      const attempt = () =>
        refundLedgerDecider.decide(
          record('r-2', 20_000.01),
          fold(refundLedgerDecider, [refund('r-1', 30_000, recordedLater)]),
        );
      expect(attempt).toThrow(expect.objectContaining({ code: 'REFUND_CAP_EXCEEDED' }));
    });

    it('refuses a return over the cap like a cancellation', () => {
      const attempt = () =>
        refundLedgerDecider.decide(
          returnOf('r-2', 1, 20_000.01),
          fold(refundLedgerDecider, [refund('r-1', 30_000, now)]),
        );
      expect(attempt).toThrow(expect.objectContaining({ code: 'REFUND_CAP_EXCEEDED' }));
    });

    it('does not take a return for a cancellation: cancelling what is left still records its refund', () => {
      const ledger = fold(refundLedgerDecider, [returned('r-1', 1, 100)]);
      expect(openRefundFor(ledger, 'r-1')).toBeUndefined();
      spec
        .given([returned('r-1', 1, 100)])
        .when(record('r-1', 200))
        .then([refund('r-1', 200, now)]);
    });
  });

  it('counts a monthly cancellation’s cancelled commitment toward the cap, not only the money refunded', () => {
    const monthly: RefundLedgerEvent = {
      type: 'RefundRecorded',
      data: {
        customerId: 'c-1',
        cancellationId: 'r-1/cancellation-1',
        reservationId: 'r-1',
        orderId: 'o-1',
        amountUsd: 100,
        countedUsd: 40_000,
        refundedAt: now,
      },
    };
    const ledger = fold(refundLedgerDecider, [monthly]);
    expect(refundAllowance(ledger, now)).toMatchObject({ usedUsd: 40_000, remainingUsd: 10_000 });
    const over: RefundLedgerCommand = {
      type: 'RecordRefund',
      data: {
        customerId: 'c-1',
        cancellationId: 'r-2/cancellation-1',
        reservationId: 'r-2',
        orderId: 'o-1',
        amountUsd: 5,
        countedUsd: 10_000.01,
        now,
      },
    };
    expect(() => refundLedgerDecider.decide(over, ledger)).toThrow(
      expect.objectContaining({ code: 'REFUND_CAP_EXCEEDED' }),
    );
  });

  it('reads refunds recorded before they named their cancellation, and reverses them by reservation', () => {
    const legacy = {
      type: 'RefundRecorded',
      data: { customerId: 'c-1', reservationId: 'r-9', amountUsd: 10, refundedAt: now },
    } as RefundLedgerEvent;
    const legacyReversal = {
      type: 'RefundReversed',
      data: { customerId: 'c-1', reservationId: 'r-9', reason: 'x', reversedAt: now },
    } as RefundLedgerEvent;
    expect(refundAllowance(fold(refundLedgerDecider, [legacy]), now).usedUsd).toBe(10);
    expect(refundAllowance(fold(refundLedgerDecider, [legacy, legacyReversal]), now).usedUsd).toBe(0);
  });

  it('counts twelve calendar months back: on 29 February the window opens after 28 February of the year before', () => {
    expect(refundWindowStart('2028-02-29T10:00:00.000Z')).toBe('2027-02-28T10:00:00.000Z');
    // A refund of 1 March 2027 still counts on 29 February 2028 (setUTCFullYear would have opened the window on 1 March).
    const ledger = fold(refundLedgerDecider, [
      {
        type: 'RefundRecorded',
        data: {
          customerId: 'c-1',
          cancellationId: 'x/1',
          reservationId: 'x',
          amountUsd: 38_433.22,
          refundedAt: '2027-03-01T08:00:00.000Z',
        },
      },
    ]);
    expect(refundAllowance(ledger, '2028-02-29T10:00:00.000Z').usedUsd).toBe(38_433.22);
  });
});
