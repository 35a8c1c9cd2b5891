import { deciderSpecification } from '../shared/decider-specification';
import { RefundLedgerEvent, refundAllowance, refundLedgerDecider } from './refund-ledger.decider';

const spec = deciderSpecification(refundLedgerDecider);
const refund = (reservationId: string, amountUsd: number, refundedAt: string): Extract<RefundLedgerEvent, { type: 'RefundRecorded' }> => ({
  type: 'RefundRecorded',
  data: { customerId: 'c-1', reservationId, amountUsd, refundedAt },
});
const now = '2026-11-25T12:00:00.000Z';

describe('refund ledger', () => {
  it('records a refund within the allowance', () =>
    spec.given([refund('r-1', 30_000, '2026-06-01T00:00:00.000Z')]).when({ type: 'RecordRefund', data: { customerId: 'c-1', reservationId: 'r-2', amountUsd: 20_000, now } }).then([refund('r-2', 20_000, now)]));

  it('refuses a refund over the USD 50,000 cap, naming the remaining allowance', () => {
    const attempt = () =>
      refundLedgerDecider.decide({ type: 'RecordRefund', data: { customerId: 'c-1', reservationId: 'r-2', amountUsd: 20_000.01, now } }, { refunds: [refund('r-1', 30_000, '2026-06-01T00:00:00.000Z').data] });
    expect(attempt).toThrow(expect.objectContaining({ code: 'REFUND_CAP_EXCEEDED', message: expect.stringContaining('remaining refund allowance of USD 20000.00') }));
  });

  it('counts a rolling 12 months: a refund exactly a year old has left the window', () => {
    const yearAgo = '2025-11-25T12:00:00.000Z';
    const justInside = '2025-11-25T12:00:00.001Z';
    spec.given([refund('r-1', 50_000, yearAgo)]).when({ type: 'RecordRefund', data: { customerId: 'c-1', reservationId: 'r-2', amountUsd: 50_000, now } }).then([refund('r-2', 50_000, now)]);
    spec.given([refund('r-1', 50_000, justInside)]).when({ type: 'RecordRefund', data: { customerId: 'c-1', reservationId: 'r-2', amountUsd: 0.01, now } }).thenRefuses('REFUND_CAP_EXCEEDED');
  });

  it('allows exactly the cap', () =>
    spec.given([refund('r-1', 49_999.99, '2026-06-01T00:00:00.000Z')]).when({ type: 'RecordRefund', data: { customerId: 'c-1', reservationId: 'r-2', amountUsd: 0.01, now } }).then([refund('r-2', 0.01, now)]));

  it('records one refund per reservation, however often the cancellation is retried', () =>
    spec.given([refund('r-1', 50_000, now)]).when({ type: 'RecordRefund', data: { customerId: 'c-1', reservationId: 'r-1', amountUsd: 50_000, now } }).thenNothingHappens());

  it('reports the allowance used and left', () =>
    expect(refundAllowance({ refunds: [refund('r-1', 12_345.67, '2026-06-01T00:00:00.000Z').data] }, now)).toEqual({ capUsd: 50_000, usedUsd: 12_345.67, remainingUsd: 37_654.33, windowStart: '2025-11-25T12:00:00.000Z' }));

  it('reverses a refund whose cancellation did not happen, giving the allowance back', () => {
    const reversed: RefundLedgerEvent = { type: 'RefundReversed', data: { customerId: 'c-1', reservationId: 'r-1', reason: 'split meanwhile', reversedAt: now } };
    spec.given([refund('r-1', 50_000, now)]).when({ type: 'ReverseRefund', data: { customerId: 'c-1', reservationId: 'r-1', reason: 'split meanwhile', now } }).then([reversed]);
    spec.given([refund('r-1', 50_000, now), reversed]).when({ type: 'RecordRefund', data: { customerId: 'c-1', reservationId: 'r-2', amountUsd: 50_000, now } }).then([refund('r-2', 50_000, now)]);
    spec.given([]).when({ type: 'ReverseRefund', data: { customerId: 'c-1', reservationId: 'r-1', reason: 'x', now } }).thenNothingHappens();
  });
});
