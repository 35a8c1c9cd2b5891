import { Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { CommandContext, EventStore, metadataFor } from '@app/eventstore-client';

const NAMESPACE = 'c2b3a4f1-7d51-4c9e-b6a8-2f0e4d1c9b77';

export const formatOrderNumber = (year: string, sequence: bigint) =>
  `RO-${year}-${sequence.toString().padStart(6, '0')}`;

/**
 * Human-readable order numbers (RO-2026-000123), unique and without a central
 * counter: each allocation appends to the year's stream with expected
 * revision `any`, and the revision the store assigns is the sequence. The
 * event id derives from the order id, so allocating again for the same order
 * is recognised as a retry and returns the same number.
 */
@Injectable()
export class OrderNumbers {
  constructor(private readonly store: EventStore) {}

  async allocate(orderId: string, context: CommandContext): Promise<string> {
    const year = context.now.slice(0, 4);
    const result = await this.store.appendToStream(
      `order-numbers-${year}`,
      [
        {
          id: uuidv5(orderId, NAMESPACE),
          type: 'OrderNumberAllocated',
          data: { orderId },
          metadata: { ...metadataFor(context) },
        },
      ],
      'any',
    );
    return formatOrderNumber(year, result.nextExpectedRevision + 1n);
  }
}
