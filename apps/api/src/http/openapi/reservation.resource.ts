import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ActiveReservation, BillingPlan, Scope, SplitPart, Term } from '@app/domain';
import { Revision } from '@app/eventstore-client';

/** A quantity returned while the rest stayed active. */
export class ReturnedQuantityResource {
  @ApiProperty({ description: 'The refund’s id in the customer’s refund ledger' }) cancellationId: string;
  @ApiProperty() quantity: number;
  @ApiProperty() returnedAt: string;
}

/** A reservation as the write side sees it after a command: what the reservation commands and an exchange answer. */
export class ReservationResource {
  @ApiProperty({ format: 'uuid' }) reservationId: string;
  @ApiProperty({ enum: ['Succeeded', 'Cancelled', 'Expired', 'Split', 'Merged', 'Exchanged'] })
  provisioningState: string;
  @ApiProperty() customerId: string;
  @ApiProperty() orderNumber: string;
  @ApiProperty() catalogItemId: string;
  @ApiProperty() armSkuName: string;
  @ApiProperty() region: string;
  @ApiProperty({ description: 'VMs covered at the same time' }) quantity: number;
  @ApiProperty({ enum: ['P1Y', 'P3Y'] }) term: Term;
  @ApiProperty({ enum: ['Upfront', 'Monthly'] }) billingPlan: BillingPlan;
  @ApiProperty() scope: Scope;
  @ApiProperty() appliedSubscriptionIds: string[];
  @ApiProperty() effectiveDate: string;
  @ApiProperty() expiryDate: string;
  @ApiProperty() autoRenew: boolean;
  @ApiPropertyOptional({
    description:
      'The market price locked 30 days before expiry; the renewal pays the lower of it and the price at renewal',
  })
  renewalUnitPriceUsd?: number;
  @ApiPropertyOptional({
    description: 'What the renewal buys, when changed from the reservation’s own quantity, term and billing plan',
  })
  renewalSettings?: { quantity: number; term: Term; billingPlan: BillingPlan };
  @ApiPropertyOptional({
    description: 'Why the renewal could not be bought (e.g. its billing subscription is not active)',
  })
  renewalFailure?: { reason: string; failedAt: string };
  @ApiPropertyOptional({ description: 'The subscription the reservation is billed to; its renewal bills it again' })
  billingSubscriptionId?: string;
  @ApiPropertyOptional({ description: 'The renewal bought ahead of expiry: its order, number and price' })
  renewal?: { orderId: string; orderNumber: string; unitPriceUsd: number; renewedAt: string };
  @ApiPropertyOptional() endedAt?: string;
  @ApiPropertyOptional() splitInto?: SplitPart[];
  @ApiPropertyOptional() mergedInto?: string;
  @ApiPropertyOptional() origin?: { type: 'split' | 'merge' | 'exchange'; reservationIds: string[] };
  @ApiPropertyOptional({
    type: [ReturnedQuantityResource],
    description: 'Quantities returned while the rest stayed active, each under the id of its refund',
  })
  returns?: ReturnedQuantityResource[];
  @ApiPropertyOptional({ format: 'uuid', description: 'The reservation an exchange of all of it bought' })
  exchangedFor?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Each exchange made from it: the reservation bought, and the value returned for it (USD)',
  })
  exchanges?: Record<string, number>;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { refundUsd: { type: 'number' }, remainingCommitmentUsd: { type: 'number' } },
    },
    description:
      'Each exchange made from it: the reservation bought, the money credited for what it gave back, and the commitment given back',
  })
  exchangedValues?: Record<string, { refundUsd: number; remainingCommitmentUsd: number }>;
  @ApiPropertyOptional({
    description:
      'Held for an exchange of several reservations being made: other changes wait (409 EXCHANGE_IN_PROGRESS)',
  })
  exchangeHold?: {
    exchangeId: string;
    quantity: number;
    refundUsd: number;
    remainingCommitmentUsd: number;
    heldAt: string;
  };
  @ApiPropertyOptional({
    description:
      'When its term began; a split or merged part keeps its source’s (it decides which exchange policy applies)',
  })
  purchasedAt?: string;
  @ApiProperty() revision: string;
  @ApiPropertyOptional({
    description: '$all position of the write; send it as X-Min-Position to read it back from a view',
  })
  position?: string;

  static of(reservation: ActiveReservation, revision: Revision, position?: bigint): ReservationResource {
    const {
      partnerId: _partner,
      status,
      orderId: _order,
      lineNumber: _line,
      flexibilityGroup: _group,
      ratio: _ratio,
      unitPriceUsd: _price,
      renewalOrderId: _renewal,
      // Bookkeeping of a split or merged reservation's monthly schedule; its payments are read at …/payments.
      payments: _payments,
      releasedExchanges: _released,
      ...visible
    } = reservation;
    return { ...visible, provisioningState: status, revision: revision.toString(), position: position?.toString() };
  }
}
