import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** The chain value before the first event of a customer's history. */
export const ZERO_CHAIN = '0'.repeat(64);

/** One event of the export, as the auditor reads it. */
export interface AuditEventLine {
  /** The event's id in the store (statement lines are named after it). */
  id: string;
  /** $all commit position, as a decimal string (it can pass 2^53). */
  position: string;
  stream: string;
  revision: number;
  type: string;
  /** The version of `data`'s schema (docs/events.md); 1 when the event's metadata names none. */
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** sha256(previous chain ‖ canonical JSON of this line without `chain`), lower-case hex. */
  chain: string;
}

export type UnchainedLine = Omit<AuditEventLine, 'chain'>;

/**
 * The chain value of a line: SHA-256 over the previous line's chain (64 hex
 * characters, as text) followed by the canonical JSON (RFC 8785) of the line
 * without its `chain` field, both UTF-8.
 */
export function chainOf(previous: string, line: UnchainedLine): string {
  return createHash('sha256').update(previous, 'utf8').update(canonicalJson(line), 'utf8').digest('hex');
}

/** The event as a line of the export, chained to the one before it. */
export function auditLine(
  event: {
    id: string;
    position: bigint;
    streamId: string;
    revision: bigint | number;
    type: string;
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
  },
  previous: string,
): AuditEventLine {
  const version = event.metadata.schemaVersion;
  const line: UnchainedLine = {
    id: event.id,
    position: event.position.toString(),
    stream: event.streamId,
    revision: Number(event.revision),
    type: event.type,
    schemaVersion: typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : 1,
    data: event.data,
    metadata: event.metadata,
  };
  return { ...line, chain: chainOf(previous, line) };
}

/** A line without its chain, for checking it. */
export function unchained(line: AuditEventLine): UnchainedLine {
  const { chain: _chain, ...rest } = line;
  return rest;
}
