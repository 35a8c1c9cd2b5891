import { ReservationProvisionedData } from '@app/domain';
import { provisionedReservation } from '../../../../domain/testing/reservation.fixture';
import { ProjectedEvent, ViewDocument } from '../../projection';
import { statementsProjection } from './statements.projection';
import { statementKeys, StatementMonth } from './statements.view';

/** Applies events one after another, as the runner does, keeping the documents in memory. */
function project(events: ProjectedEvent[], documents: Record<string, ViewDocument | undefined> = {}) {
  for (const event of events) {
    for (const write of statementsProjection.apply(
      event,
      Object.fromEntries(statementsProjection.reads(event).map((key) => [key, documents[key]])),
    )) {
      if (write.kind === 'put') documents[write.key] = write.document;
    }
  }
  return documents;
}

let revision = 0;
const event = (type: string, data: object, recordedAt: string): ProjectedEvent => ({
  id: `e-${++revision}`,
  type,
  data,
  metadata: { timestamp: recordedAt },
  streamId: 'order-o-1',
  revision,
  position: BigInt(revision),
  created: new Date(recordedAt),
});
const bought: ReservationProvisionedData = provisionedReservation({
  billingPlan: 'Monthly',
  billingSubscriptionId: 's-1',
  effectiveDate: '2027-01-31T09:00:00.000Z',
});
const payment = (paymentNumber: number, dueAt: string, recordedAt: string) =>
  event(
    'ReservationPaymentRecorded',
    { reservationId: 'r-1', customerId: 'c-1', paymentNumber, amountUsd: 249.99, quantity: 3, dueAt, recordedAt },
    recordedAt,
  );
const month = (documents: Record<string, ViewDocument | undefined>, at: string) =>
  documents[statementKeys.month('c-1', at)] as StatementMonth | undefined;

describe('statements projection', () => {
  const provisioned = event('ReservationProvisioned', bought, '2027-01-31T09:00:00.000Z');

  it('writes a payment as a line of its due date’s month, naming the event that caused it', () => {
    const documents = project([provisioned, payment(2, '2027-02-28T09:00:00.000Z', '2027-03-01T00:05:00.000Z')]);
    expect(month(documents, '2027-02')?.lines).toEqual([
      expect.objectContaining({
        kind: 'monthlyPayment',
        date: '2027-02-28T09:00:00.000Z',
        subscriptionId: 's-1',
        quantity: 3,
        unitPriceUsd: 83.33,
        amountUsd: 249.99,
        paymentNumber: 2,
        source: { stream: 'order-o-1', revision, type: 'ReservationPaymentRecorded' },
      }),
    ]);
  });

  it('never changes a closed month: a line recorded after its month closed stands in the month it was recorded in, marked late', () => {
    const documents = project([provisioned, payment(2, '2027-02-28T09:00:00.000Z', '2027-03-05T00:05:00.000Z')]);
    expect(month(documents, '2027-02')).toBeUndefined();
    expect(month(documents, '2027-03')?.lines).toEqual([
      expect.objectContaining({ date: '2027-02-28T09:00:00.000Z', late: true }),
    ]);
  });

  it('writes the same line once however often its event is delivered', () => {
    const paid = payment(2, '2027-02-28T09:00:00.000Z', '2027-03-01T00:05:00.000Z');
    const documents = project([provisioned, paid, paid]);
    expect(month(documents, '2027-02')?.lines).toHaveLength(1);
  });

  it('credits a refund with the VMs it was for, and lists no line of nothing', () => {
    const documents = project([
      provisioned,
      event(
        'ReservationQuantityReturned',
        {
          reservationId: 'r-1',
          customerId: 'c-1',
          cancellationId: 'x',
          quantity: 1,
          remainingQuantity: 2,
          refundUsd: 12.34,
          returnedAt: '2027-04-10T10:00:00.000Z',
        },
        '2027-04-10T10:00:00.000Z',
      ),
      event(
        'ReservationCancelled',
        {
          reservationId: 'r-1',
          customerId: 'c-1',
          cancellationId: 'y',
          refundUsd: 0,
          cancelledAt: '2027-04-11T10:00:00.000Z',
        },
        '2027-04-11T10:00:00.000Z',
      ),
    ]);
    expect(month(documents, '2027-04')?.lines).toEqual([
      expect.objectContaining({ kind: 'refund', quantity: 1, amountUsd: -12.34, unitPriceUsd: -12.34 }),
    ]);
  });

  it('tells an upfront renewal’s purchase from a first purchase by its order', () => {
    const renewal = { ...bought, reservationId: 'r-2', orderId: 'o-2', billingPlan: 'Upfront' as const };
    const documents = project([
      event(
        'OrderPlaced',
        {
          orderId: 'o-2',
          lines: [{ lineNumber: 1, subscriptionId: 's-1' }],
          renewalOf: { orderId: 'o-1', reservationId: 'r-1' },
        },
        '2028-01-31T09:00:00.000Z',
      ),
      event('ReservationProvisioned', renewal, '2028-01-31T09:01:00.000Z'),
      event(
        'ReservationPaymentRecorded',
        {
          reservationId: 'r-2',
          customerId: 'c-1',
          paymentNumber: 1,
          amountUsd: 3_000,
          quantity: 3,
          dueAt: '2028-01-31T09:00:00.000Z',
          recordedAt: '2028-01-31T09:01:00.000Z',
        },
        '2028-01-31T09:01:00.000Z',
      ),
    ]);
    expect(month(documents, '2028-01')?.lines).toEqual([
      expect.objectContaining({ kind: 'renewalPurchase', amountUsd: 3_000 }),
    ]);
  });
});
