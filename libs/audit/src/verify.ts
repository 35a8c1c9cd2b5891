import { KeyObject } from 'node:crypto';
import { AuditEventLine, chainOf, unchained, ZERO_CHAIN } from './audit-line';
import { canonicalJson } from './canonical-json';
import { AnchorList, AuditAnchor, AuditHeader, AuditTrailer, ChainStart, EXPORT_FORMAT } from './export-format';
import { publicKeyFrom, signatureProblem } from './signing';
import { CustomerSnapshot, SnapshotReplay } from './snapshot';

export interface VerifyOptions {
  /** The deployment's public key (GET /v1/audit/public-key). Without it, the key the trailer names is used, and the report says so. */
  publicKey?: KeyObject;
  /** A signed anchor list (GET /v1/audit/anchors?customerId=). */
  anchors?: AnchorList;
}

export interface VerifyReport {
  ok: boolean;
  /** The first failure: the file's line (1-based) and why. */
  failure?: { line: number; reason: string };
  /** Event lines read. */
  events: number;
  /** What was checked, and what could not be. */
  checked: string[];
}

class Failed extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(reason);
  }
}

const EVENT_FIELDS = ['id', 'position', 'stream', 'revision', 'type', 'schemaVersion', 'data', 'metadata', 'chain'];

/**
 * Verifies an audit export offline (docs/audit.md), line by line: the chain,
 * then the trailer's count, last chain and signature, the anchors, and a
 * replay of the events through the reservations and statements projections
 * compared with the trailer. Stops at the first failure and names its line.
 */
export async function verifyExport(
  lines: AsyncIterable<string> | Iterable<string>,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const checked: string[] = [];
  let events = 0;
  let lineNumber = 0;
  try {
    let header: AuditHeader | undefined;
    let trailer: AuditTrailer | undefined;
    let previous = ZERO_CHAIN;
    let lastPosition: bigint | undefined;
    let replay: SnapshotReplay | undefined;
    let start: ChainStart | undefined;
    let anchors: AuditAnchor[] = [];
    let nextAnchor = 0;

    for await (const text of lines) {
      lineNumber++;
      if (text.trim() === '') {
        if (trailer) continue;
        throw new Failed(lineNumber, 'an empty line inside the export');
      }
      if (trailer) throw new Failed(lineNumber, 'a line after the trailer: the trailer must be the last line');
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new Failed(lineNumber, 'not JSON');
      }
      if (!header) {
        if (parsed.kind !== 'header' || parsed.format !== EXPORT_FORMAT)
          throw new Failed(lineNumber, `the first line must be the export's header (${EXPORT_FORMAT})`);
        header = parsed as unknown as AuditHeader;
        start = header.startsAfter;
        previous = start.chain;
        lastPosition = start.position === null ? undefined : BigInt(start.position);
        if (start.count === 0 && start.chain !== ZERO_CHAIN)
          throw new Failed(lineNumber, 'a chain that starts at the first event must start from 64 zeros');
        if (options.anchors) anchors = checkedAnchors(options.anchors, header, options.publicKey, lineNumber, checked);
        while (nextAnchor < anchors.length && anchors[nextAnchor].count <= start.count) {
          const anchor = anchors[nextAnchor++];
          if (anchor.count === start.count && (anchor.chain !== start.chain || anchor.position !== start.position)) {
            throw new Failed(
              lineNumber,
              `the export starts after event ${start.count} with chain ${start.chain}, but the anchor of ${anchor.recordedAt} has ${anchor.chain} there`,
            );
          }
        }
        replay = start.count === 0 ? new SnapshotReplay(header.customerId) : undefined;
        continue;
      }
      if (parsed.kind === 'trailer') {
        trailer = parsed as unknown as AuditTrailer;
        checkTrailer(trailer, header, events, previous, lastPosition, lineNumber, options.publicKey, checked);
        // An anchor past the end of the export but within what it covers counts events the export does not have.
        const pending = anchors[nextAnchor];
        if (pending && lastPosition !== undefined && BigInt(pending.position) <= lastPosition) {
          throw new Failed(lineNumber, anchorMissing(pending, events + start!.count));
        }
        if (replay && trailer.complete) {
          compareSnapshots(replay.snapshot(), trailer, lineNumber);
          checked.push(
            `replayed ${events} events through the reservations and statements projections: ${trailer.reservations.length} reservations and ${trailer.statements.length} statement months match the trailer`,
          );
        } else {
          checked.push(
            'replay not compared: the export does not run from the first event to the head (from/to given), so the trailer’s current states are not what its lines alone make',
          );
        }
        continue;
      }

      // An event line.
      for (const field of EVENT_FIELDS)
        if (!(field in parsed)) throw new Failed(lineNumber, `an event line without "${field}"`);
      const line = parsed as unknown as AuditEventLine;
      const position = BigInt(line.position);
      if (lastPosition !== undefined && position <= lastPosition) {
        throw new Failed(
          lineNumber,
          `position ${line.position} is not after the previous line's (${lastPosition}): the lines are out of $all order`,
        );
      }
      const expected = chainOf(previous, unchained(line));
      if (expected !== line.chain) {
        throw new Failed(
          lineNumber,
          `its chain does not follow from the line before it (computed ${expected}, the line says ${line.chain}): this line was changed, or a line before it was dropped or moved`,
        );
      }
      events++;
      previous = line.chain;
      lastPosition = position;
      replay?.apply(line);
      const count = start!.count + events;
      // Anchors are checked at the line whose count they record, or at the first line past their position.
      while (
        nextAnchor < anchors.length &&
        (anchors[nextAnchor].count <= count || BigInt(anchors[nextAnchor].position) < position)
      ) {
        const anchor = anchors[nextAnchor++];
        if (anchor.count !== count) throw new Failed(lineNumber, anchorMissing(anchor, count - 1));
        if (anchor.position !== line.position || anchor.chain !== line.chain) {
          throw new Failed(
            lineNumber,
            `the anchor recorded at ${anchor.recordedAt} says event ${anchor.count} of the customer's history is at position ${anchor.position} with chain ${anchor.chain}; ` +
              `this line is at ${line.position} with chain ${line.chain}: the history up to here was rewritten after the anchor`,
          );
        }
      }
    }
    if (!header) throw new Failed(1, 'the file is empty');
    if (!trailer) throw new Failed(lineNumber + 1, 'no trailer: the export was cut short');
    checked.unshift(`chain of ${events} event lines`);
    if (options.anchors) checked.push(`${anchors.length} anchors`);
    return { ok: true, events, checked };
  } catch (error) {
    if (error instanceof Failed)
      return { ok: false, failure: { line: error.line, reason: error.message }, events, checked };
    throw error;
  }
}

function anchorMissing(anchor: AuditAnchor, had: number): string {
  return (
    `the anchor recorded at ${anchor.recordedAt} counts ${anchor.count} events of the customer's history up to position ${anchor.position}, ` +
    `but the export has ${had} by then: events were removed from (or added to) the history after the anchor`
  );
}

function checkTrailer(
  trailer: AuditTrailer,
  header: AuditHeader,
  events: number,
  lastChain: string,
  lastPosition: bigint | undefined,
  line: number,
  publicKey: KeyObject | undefined,
  checked: string[],
): void {
  if (trailer.count !== events)
    throw new Failed(
      line,
      `the trailer counts ${trailer.count} events, the export has ${events}: lines were dropped or added`,
    );
  if (trailer.lastChain !== lastChain)
    throw new Failed(line, `the trailer's last chain ${trailer.lastChain} is not the last line's (${lastChain})`);
  if (
    canonicalJson(trailer.startsAfter) !== canonicalJson(header.startsAfter) ||
    trailer.customerId !== header.customerId
  ) {
    throw new Failed(line, 'the trailer and the header disagree on the customer or where the chain starts');
  }
  if ((trailer.lastPosition ?? null) !== (events === 0 ? null : (lastPosition?.toString() ?? null))) {
    throw new Failed(line, `the trailer's last position ${trailer.lastPosition} is not the last line's`);
  }
  let key = publicKey;
  if (!key) {
    key = publicKeyFrom(trailer.publicKey);
    checked.push(
      `signature checked against the key the trailer names (${trailer.publicKey.keyId}); pass --public-key with GET /v1/audit/public-key's answer to check it is the deployment's`,
    );
  } else {
    checked.push(`signature of the trailer by key ${trailer.signature?.keyId}`);
  }
  const problem = signatureProblem(trailer, key);
  if (problem) throw new Failed(line, `the trailer's signature does not verify: ${problem}`);
}

function checkedAnchors(
  list: AnchorList,
  header: AuditHeader,
  publicKey: KeyObject | undefined,
  line: number,
  checked: string[],
): AuditAnchor[] {
  if (list.customerId !== header.customerId)
    throw new Failed(line, `the anchors are of customer ${list.customerId}, the export of ${header.customerId}`);
  if (publicKey) {
    const problem = signatureProblem(list, publicKey);
    if (problem) throw new Failed(line, `the anchor list's signature does not verify: ${problem}`);
    checked.push('signature of the anchor list');
  } else {
    checked.push('the anchor list’s signature is checked only with --public-key');
  }
  return [...list.anchors].sort((a, b) => a.count - b.count);
}

function compareSnapshots(replayed: CustomerSnapshot, trailer: AuditTrailer, line: number): void {
  const stated = new Map(trailer.reservations.map((r) => [r.reservationId, r]));
  for (const reservation of replayed.reservations) {
    const theirs = stated.get(reservation.reservationId);
    if (!theirs)
      throw new Failed(
        line,
        `the replay makes reservation ${reservation.reservationId}, which the trailer does not list`,
      );
    if (canonicalJson(theirs) !== canonicalJson(reservation)) {
      throw new Failed(
        line,
        `reservation ${reservation.reservationId}: the replay gives ${describe(reservation)}, the trailer states ${describe(theirs)}`,
      );
    }
    stated.delete(reservation.reservationId);
  }
  for (const missing of stated.keys())
    throw new Failed(line, `the trailer lists reservation ${missing}, which the events do not make`);
  const months = new Map(trailer.statements.map((s) => [s.month, s]));
  for (const month of replayed.statements) {
    const theirs = months.get(month.month);
    const total = (s: { lines: Array<{ amountUsd: number }> }) =>
      s.lines.reduce((sum, l) => sum + Math.round(l.amountUsd * 100), 0) / 100;
    if (!theirs)
      throw new Failed(line, `the replay makes a statement for ${month.month}, which the trailer does not list`);
    if (canonicalJson(theirs) !== canonicalJson(month)) {
      throw new Failed(
        line,
        `the statement of ${month.month}: the replay gives ${month.lines.length} lines totalling ${total(month)} USD, the trailer states ${theirs.lines.length} totalling ${total(theirs)} USD`,
      );
    }
    months.delete(month.month);
  }
  for (const missing of months.keys())
    throw new Failed(line, `the trailer lists a statement for ${missing}, which the events do not make`);
}

function describe(reservation: { revision: number; state: { status: string } }): string {
  const { status, quantity } = reservation.state as { status: string; quantity?: number };
  return `status ${status}, quantity ${String(quantity)}, revision ${reservation.revision} (${canonicalJson(reservation).length} bytes)`;
}
