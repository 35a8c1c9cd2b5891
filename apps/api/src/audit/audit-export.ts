import { Injectable, Logger } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import {
  anchorsOf,
  AuditHeader,
  AuditTrailerBody,
  ChainStart,
  CustomerChain,
  EXPORT_FORMAT,
  scanAll,
  snapshotFromViews,
  ZERO_CHAIN,
} from '@app/audit';
import { EventStore, EventStreams } from '@app/eventstore-client';
import { RESERVATIONS, STATEMENTS, ViewReader } from '@app/projections';
import { ConsistentReads } from '../http/consistent-reads';
import { AuditKey } from './audit-key';

export interface ExportRequest {
  customerId: string;
  partnerId: string;
  /** ISO instants, already validated; `from` picks the anchor to start after, `to` the last event's time. */
  from?: string;
  to?: string;
  /** The Clock's time of the request. */
  now: string;
}

/** How many lines go out in one write: a page's worth, so the socket gets large writes and memory holds one page. */
const LINES_PER_CHUNK = 500;

/**
 * The customer's audit export (docs/audit.md) as NDJSON chunks: a header,
 * every event of the customer's history in $all order, each chained to the
 * one before, and a signed trailer with the views' reservations and
 * statements. A generator read by the response stream: the next page of $all
 * is read only when the socket has taken the last, so memory stays flat
 * whatever the length of the history.
 */
@Injectable()
export class AuditExport {
  private readonly logger = new Logger('AuditExport');

  constructor(
    private readonly store: EventStore,
    private readonly streams: EventStreams,
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
    private readonly key: AuditKey,
  ) {}

  /** Checks what can fail before the first byte (the key, the views), then answers the lines to stream. */
  async prepare(request: ExportRequest, response: FastifyReply): Promise<AsyncGenerator<string>> {
    const signer = this.key.get();
    const head = await this.store.headPosition();
    // The trailer states what the views show: they must have what the export holds.
    await this.consistency.reach(RESERVATIONS, head, response);
    await this.consistency.reach(STATEMENTS, head, response);
    const start = await this.startFor(request);
    return this.lines(request, start, head, signer);
  }

  /** The last anchor recorded at or before `from`; the start of the history without one. */
  private async startFor({ customerId, from }: ExportRequest): Promise<ChainStart> {
    const zero: ChainStart = { count: 0, position: null, chain: ZERO_CHAIN, anchoredAt: null };
    if (from === undefined) return zero;
    const before = (await anchorsOf(this.streams, customerId)).filter(
      (anchor) => Date.parse(anchor.recordedAt) <= Date.parse(from),
    );
    const anchor = before[before.length - 1];
    return anchor
      ? { count: anchor.count, position: anchor.position, chain: anchor.chain, anchoredAt: anchor.recordedAt }
      : zero;
  }

  private async *lines(
    request: ExportRequest,
    start: ChainStart,
    head: bigint,
    signer: ReturnType<AuditKey['get']>,
  ): AsyncGenerator<string> {
    const { customerId, partnerId, from, to, now } = request;
    const header: AuditHeader = {
      kind: 'header',
      format: EXPORT_FORMAT,
      customerId,
      from: from ?? null,
      to: to ?? null,
      startsAfter: start,
    };
    yield `${JSON.stringify(header)}\n`;
    const chain = new CustomerChain(customerId, start);
    const until = to === undefined ? undefined : Date.parse(to);
    let count = 0;
    let lastPosition: bigint | undefined;
    let lastChain = start.chain;
    let cut = false;
    let last = start.position === null ? undefined : BigInt(start.position);
    let end = head;
    let scanned: bigint | undefined;
    // Up to the store's head when the export began; then on to where the views stand when the trailer is written.
    for (let round = 0; round < 2 && !cut; round++) {
      let chunk = '';
      let inChunk = 0;
      for await (const page of scanAll((options) => this.store.readAll(options), end, scanned)) {
        for (const event of page) {
          const line = chain.next(event);
          if (!line) continue;
          const at = typeof line.metadata.timestamp === 'string' ? Date.parse(line.metadata.timestamp) : Number.NaN;
          if (until !== undefined && at > until) {
            cut = true;
            break;
          }
          if (last !== undefined && BigInt(line.position) <= last)
            throw new Error(`$all went backwards at ${line.position}`);
          last = BigInt(line.position);
          lastPosition = last;
          lastChain = line.chain;
          count++;
          chunk += `${JSON.stringify(line)}\n`;
          if (++inChunk === LINES_PER_CHUNK) {
            yield chunk;
            chunk = '';
            inChunk = 0;
          }
        }
        scanned = page[page.length - 1].position;
        if (cut) break;
      }
      if (chunk) yield chunk;
      if (round === 0 && !cut) {
        // Events written while the export ran are in the views the trailer reads: the export goes on to where they stand.
        const [reservations, statements] = await Promise.all([
          this.views.checkpoint(RESERVATIONS),
          this.views.checkpoint(STATEMENTS),
        ]);
        const further = [reservations ?? 0n, statements ?? 0n].reduce((a, b) => (a > b ? a : b), end);
        if (further === end) break;
        end = further;
      }
    }
    const snapshot = await snapshotFromViews(this.views, customerId);
    const trailer: AuditTrailerBody = {
      kind: 'trailer',
      format: EXPORT_FORMAT,
      customerId,
      partnerId,
      from: from ?? null,
      to: to ?? null,
      startsAfter: start,
      count,
      lastChain,
      lastPosition: lastPosition === undefined ? null : lastPosition.toString(),
      complete: start.count === 0 && !cut,
      headPosition: end.toString(),
      exportedAt: now,
      publicKey: signer.publicKeyDocument(),
      ...snapshot,
    };
    this.logger.log(`audit export of customer ${customerId}: ${count} events`);
    yield `${JSON.stringify(signer.sign(trailer))}\n`;
  }
}
