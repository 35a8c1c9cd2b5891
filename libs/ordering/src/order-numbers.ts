import { Injectable } from '@nestjs/common';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { v5 as uuidv5 } from 'uuid';
import { CommandContext, metadataFor } from '@app/eventstore';

const NAMESPACE = 'c2b3a4f1-7d51-4c9e-b6a8-2f0e4d1c9b77';

export const formatOrderNumber = (year: string, sequence: bigint) => `RO-${year}-${sequence.toString().padStart(6, '0')}`;

/**
 * Human-readable order numbers (RO-2026-000123), unique and without a central
 * counter: each allocation appends to the year's stream with expected
 * revision `any`, and the revision the store assigns is the sequence. The
 * event id derives from the order id, so allocating again for the same order
 * is recognised as a retry and returns the same number.
 */
@Injectable()
export class OrderNumbers {
  constructor(private readonly client: EventStoreDBClient) {}

  async allocate(orderId: string, context: CommandContext): Promise<string> {
    const year = context.now.slice(0, 4);
    const result = await this.client.appendToStream(
      `order-numbers-${year}`,
      jsonEvent({ id: uuidv5(orderId, NAMESPACE), type: 'OrderNumberAllocated', data: { orderId }, metadata: { ...metadataFor(context) } }),
      { expectedRevision: 'any' },
    );
    return formatOrderNumber(year, result.nextExpectedRevision + 1n);
  }
}
