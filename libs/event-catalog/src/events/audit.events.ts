import { EventType } from '../event-type';
import { count, id, instant, record } from '../json-schema';
import { at, customerId } from './event-examples';

/** Anchors of customers' audit chains (docs/audit.md). */
export const AUDIT_EVENTS: EventType[] = [
  {
    type: 'AuditAnchorRecorded',
    version: 1,
    stream: 'audit-anchors-{customerId}',
    cause:
      'The daily audit-anchor job of the worker: the head of the customer’s audit chain when it ran, if it moved since the last anchor',
    schema: record({
      customerId: id,
      count: { ...count(1), description: 'Events of the customer’s history up to and including position' },
      position: { type: 'string', pattern: '^\\d+$', description: '$all position of the last of them' },
      chain: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'The audit chain’s value after them' },
      recordedAt: instant,
    }),
    example: {
      customerId,
      count: 42,
      position: '184467',
      chain: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      recordedAt: at,
    },
  },
];
