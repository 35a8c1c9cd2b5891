import { Decider, Message } from '../shared/decider';
import { illegalState } from '../shared/domain-error';

/** A customer's anchors: the chain heads of its audit history, one stream per customer. */
export const auditAnchorStream = (customerId: string) => `audit-anchors-${customerId}`;

export interface AuditAnchorData {
  customerId: string;
  /** Events of the customer's history up to and including `position`. */
  count: number;
  /** $all position of the last of them, as a decimal string. */
  position: string;
  /** The audit chain's value after them (docs/audit.md). */
  chain: string;
  /** When it was recorded, on the Clock. */
  recordedAt: string;
}

export type AuditAnchorEvent = Message<'AuditAnchorRecorded', AuditAnchorData>;

export type AuditAnchorCommand = Message<'RecordAuditAnchor', AuditAnchorData>;

export interface AuditAnchors {
  last?: AuditAnchorData;
}

/**
 * The daily anchor of a customer's audit chain. A head already anchored is
 * not anchored again; a head with fewer events than the last anchor, or the
 * same count with another chain, is a history rewritten since: refused, so
 * the rewrite is never anchored over.
 */
export const auditAnchorDecider: Decider<AuditAnchors, AuditAnchorCommand, AuditAnchorEvent> = {
  initialState: () => ({}),
  decide(command, state) {
    const head = command.data;
    const last = state.last;
    if (last && head.count < last.count) {
      throw illegalState(
        'AUDIT_HISTORY_REWRITTEN',
        `customer ${head.customerId} has ${head.count} events in its history, its anchor of ${last.recordedAt} counted ${last.count}`,
      );
    }
    if (last && head.count === last.count) {
      if (head.chain !== last.chain || head.position !== last.position) {
        throw illegalState(
          'AUDIT_HISTORY_REWRITTEN',
          `customer ${head.customerId}'s chain after ${head.count} events is ${head.chain}, its anchor of ${last.recordedAt} says ${last.chain}`,
        );
      }
      return [];
    }
    return [{ type: 'AuditAnchorRecorded', data: head }];
  },
  evolve: (_state, event) => ({ last: event.data }),
};
