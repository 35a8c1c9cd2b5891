import { AuditEventLine } from './audit-line';
import { PublicKeyDocument, Signed } from './signing';
import { CustomerSnapshot } from './snapshot';

export const EXPORT_FORMAT = 'audit-export/1';

/** Where a chain starts: after an anchor (its event count, position and chain), or at the customer's first event. */
export interface ChainStart {
  /** Events of the customer's history before the export's first line. */
  count: number;
  /** $all position of the last of them; null at the start of the history. */
  position: string | null;
  /** The chain value after them: the anchor's, or 64 zeros. */
  chain: string;
  /** When that anchor was recorded; null at the start of the history. */
  anchoredAt: string | null;
}

/** The export's first line: what it covers and where its chain starts. */
export interface AuditHeader {
  kind: 'header';
  format: typeof EXPORT_FORMAT;
  customerId: string;
  from: string | null;
  to: string | null;
  startsAfter: ChainStart;
}

/** The export's last line, signed with the deployment's audit key. */
export interface AuditTrailerBody extends CustomerSnapshot {
  kind: 'trailer';
  format: typeof EXPORT_FORMAT;
  customerId: string;
  partnerId: string;
  from: string | null;
  to: string | null;
  startsAfter: ChainStart;
  /** Event lines in the export. */
  count: number;
  /** The chain value of the last line (startsAfter.chain when there is none). */
  lastChain: string;
  /** $all position of the last line; null when there is none. */
  lastPosition: string | null;
  /** From the customer's first event to the store's head when the export began: the trailer's reservations and statements are what these lines replay to. */
  complete: boolean;
  /** The store's head when the export began: later events are not in it. */
  headPosition: string;
  /** When it was made, on the deployment's Clock. */
  exportedAt: string;
  /** The key that signed it, for convenience: verify against the one GET /v1/audit/public-key publishes. */
  publicKey: PublicKeyDocument;
}

export type AuditTrailer = Signed<AuditTrailerBody>;

export type ExportLine = AuditHeader | AuditEventLine | AuditTrailer;

/** A chain head of a customer recorded by the daily anchor job (AuditAnchorRecorded). */
export interface AuditAnchor {
  customerId: string;
  /** Events of the customer's history up to and including `position`. */
  count: number;
  /** $all position of the last of them. */
  position: string;
  /** The chain value after them. */
  chain: string;
  /** When the job recorded it, on the Clock. */
  recordedAt: string;
}

/** What GET /v1/audit/anchors answers: a customer's anchors, oldest first, signed. */
export interface AnchorListBody {
  kind: 'anchors';
  customerId: string;
  anchors: AuditAnchor[];
  listedAt: string;
}

export type AnchorList = Signed<AnchorListBody>;
