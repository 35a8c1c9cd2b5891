import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/clock';
import { DomainError, RefundLedgerEvent } from '@app/domain';
import { ConcurrencyError } from '@app/eventstore-client';
import { RefundSettlement } from '@app/ordering';
import { ProjectedEvent, Reactor } from '@app/projections';
import { causedBy } from '../caused-by';

type RefundRecorded = Extract<RefundLedgerEvent, { type: 'RefundRecorded' }>['data'];

/**
 * A cancellation spans the customer's refund ledger and the reservation
 * order. From each RefundRecorded this finishes it: the reservation is
 * cancelled with that refund's cancellation id, or, when it can no longer
 * be, exactly that refund is reversed. The API does the same at once; this
 * covers a process that died between the two appends.
 */
@Injectable()
export class RefundSettlementReactor implements Reactor {
  readonly name = 'refund-settlement';
  readonly eventTypes = ['RefundRecorded'] as const;
  private readonly logger = new Logger('RefundSettlement');

  constructor(
    private readonly settlement: RefundSettlement,
    private readonly clock: Clock,
  ) {}

  async react(event: ProjectedEvent): Promise<void> {
    const refund = event.data as RefundRecorded;
    // Refunds recorded before they named their cancellation and order were settled by the request that made them.
    if (!refund.cancellationId || !refund.orderId) return;
    try {
      await this.settlement.settle(
        refund.customerId,
        { ...refund, cancellationId: refund.cancellationId, orderId: refund.orderId },
        causedBy(event, 'system/refund-settlement', 'settle', await this.clock.now()),
      );
    } catch (error) {
      // A refusal, or a return whose If-Match went stale: its refund was reversed, and that is final.
      const stale = error instanceof ConcurrencyError && error.expectedRevision !== undefined;
      if (!(error instanceof DomainError) && !stale) throw error;
      this.logger.log(
        `cancellation ${refund.cancellationId} did not happen (${stale ? 'STALE_REVISION' : (error as DomainError).code}); its refund was reversed`,
      );
    }
  }
}
