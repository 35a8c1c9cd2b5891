import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { monthCloses, StatementLine, StatementLineKind, statementTotals } from '@app/domain';
import { StatementMonth } from '@app/projections';

const KINDS: StatementLineKind[] = [
  'purchase',
  'renewalPurchase',
  'exchangePurchase',
  'monthlyPayment',
  'refund',
  'exchangeRefund',
];

export class StatementSourceResource {
  @ApiProperty({ example: 'order-0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e' }) stream: string;
  @ApiProperty() revision: number;
  @ApiProperty({ example: 'ReservationPaymentRecorded' }) type: string;
}

export class StatementLineResource {
  @ApiProperty({ description: 'The id of the event the line comes from' }) lineId: string;
  @ApiProperty({ enum: KINDS }) kind: StatementLineKind;
  @ApiProperty({
    description: 'When the charge or credit happened: a payment’s due instant, a refund’s or an exchange’s instant',
  })
  date: string;
  @ApiProperty({ description: 'When the system recorded it' }) recordedAt: string;
  @ApiPropertyOptional({
    enum: [true],
    description: 'Recorded after the month of its date had closed: it stands in this month instead',
  })
  late?: true;
  @ApiProperty() subscriptionId: string;
  @ApiProperty() reservationId: string;
  @ApiProperty() orderId: string;
  @ApiProperty() orderNumber: string;
  @ApiProperty({ description: 'VMs the line is for' }) quantity: number;
  @ApiProperty({ description: 'The amount per VM, to the cent: negative for a credit, as the amount' })
  unitPriceUsd: number;
  @ApiProperty({ description: 'Positive: a charge; negative: a credit' }) amountUsd: number;
  @ApiPropertyOptional({ description: 'The payment’s number in its reservation’s schedule' }) paymentNumber?: number;
  @ApiProperty({ type: StatementSourceResource, description: 'The event that caused it' })
  source: StatementSourceResource;
}

export class StatementTotalsResource {
  @ApiProperty() chargesUsd: number;
  @ApiProperty({ description: 'Credits, as a positive amount' }) creditsUsd: number;
  @ApiProperty({ description: 'Charges less credits' }) netUsd: number;
}

export class SubscriptionTotalsResource extends StatementTotalsResource {
  @ApiProperty() subscriptionId: string;
}

export class CustomerTotalsResource extends StatementTotalsResource {
  @ApiProperty({ type: [SubscriptionTotalsResource], description: 'Per billing subscription' })
  subscriptions: SubscriptionTotalsResource[];
}

export class StatementResource {
  @ApiProperty() customerId: string;
  @ApiProperty({ example: '2027-03' }) month: string;
  @ApiProperty({ enum: ['USD'] }) currency: 'USD';
  @ApiProperty({
    description:
      'Closed months (from 00:00 UTC on the 2nd of the next month) never change: a later correction is a line of the month it is recorded in',
  })
  closed: boolean;
  @ApiProperty({ description: 'When the month closes, or closed' }) closesAt: string;
  @ApiProperty({ type: [StatementLineResource], description: 'By date, then in the order they were recorded' })
  lines: StatementLineResource[];
  @ApiProperty({ type: CustomerTotalsResource }) totals: CustomerTotalsResource;

  static of(customerId: string, month: string, document: StatementMonth | undefined, now: string): StatementResource {
    const lines: StatementLine[] = [...(document?.lines ?? [])].sort(
      (a, b) =>
        Date.parse(a.date) - Date.parse(b.date) ||
        Date.parse(a.recordedAt) - Date.parse(b.recordedAt) ||
        a.source.stream.localeCompare(b.source.stream) ||
        a.source.revision - b.source.revision,
    );
    const closesAt = monthCloses(month);
    return {
      customerId,
      month,
      currency: 'USD',
      closed: Date.parse(now) >= Date.parse(closesAt),
      closesAt,
      lines: lines.map(({ customerId: _customer, ...line }) => line),
      totals: statementTotals(lines),
    };
  }
}

/** The CSV columns, one line per row, for a spreadsheet or a reconciliation script. */
export const CSV_COLUMNS = [
  'date',
  'kind',
  'subscriptionId',
  'reservationId',
  'orderId',
  'orderNumber',
  'quantity',
  'unitPriceUsd',
  'amountUsd',
  'paymentNumber',
  'late',
  'recordedAt',
  'sourceStream',
  'sourceRevision',
  'sourceType',
  'lineId',
] as const;

export const csvRow = (line: StatementLineResource): Record<(typeof CSV_COLUMNS)[number], string | number> => ({
  date: line.date,
  kind: line.kind,
  subscriptionId: line.subscriptionId,
  reservationId: line.reservationId,
  orderId: line.orderId,
  orderNumber: line.orderNumber,
  quantity: line.quantity,
  unitPriceUsd: line.unitPriceUsd.toFixed(2),
  amountUsd: line.amountUsd.toFixed(2),
  paymentNumber: line.paymentNumber ?? '',
  late: line.late ? 'true' : '',
  recordedAt: line.recordedAt,
  sourceStream: line.source.stream,
  sourceRevision: line.source.revision,
  sourceType: line.source.type,
  lineId: line.lineId,
});
