import { BadRequestException, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { Request, Response } from 'express';
import { EventStoreDBClient, START } from '@eventstore/db-client';
import { Projection, projectionNamed, ViewReader } from '@app/projections';

const FIRST_WAIT_MS = 100;
const WAIT_MS = 2_000;
const SCAN_LIMIT = 5_000;

/**
 * Views are eventually consistent: a write is visible once its projection has
 * applied it, usually within milliseconds. A caller that must see its own
 * write sends the write's X-Position back as X-Min-Position (or ?minPosition);
 * the read then waits briefly for the view, or answers 503 with Retry-After.
 */
@Injectable()
export class ConsistentReads {
  constructor(
    private readonly views: ViewReader,
    private readonly client: EventStoreDBClient,
  ) {}

  /** Whether an event the projection takes sits between its checkpoint and `position`. */
  private async pendingFor(projection: Projection, position: bigint): Promise<boolean> {
    const checkpoint = await this.views.checkpoint(projection.name);
    const types = new Set(projection.eventTypes);
    const from = checkpoint === undefined ? START : { commit: checkpoint + 1n, prepare: checkpoint + 1n };
    let pending = false;
    let scanned = 0;
    // Drained to the end (bounded by maxCount): a read is never abandoned.
    for await (const { event, commitPosition } of this.client.readAll({ fromPosition: from, maxCount: SCAN_LIMIT })) {
      scanned++;
      if (commitPosition !== undefined && commitPosition <= position && event && types.has(event.type)) pending = true;
    }
    return pending || scanned === SCAN_LIMIT;
  }

  async ensure(projection: string, request: Request, response: Response): Promise<void> {
    const header = request.headers['x-min-position'];
    const raw = (Array.isArray(header) ? header[0] : header) ?? (request.query.minPosition as string | undefined);
    if (raw === undefined) return;
    if (!/^\d{1,20}$/.test(raw)) {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', code: 'INVALID_MIN_POSITION', message: 'X-Min-Position must be a position returned in X-Position' });
    }
    const position = BigInt(raw);
    if (await this.views.reached(projection, position, FIRST_WAIT_MS)) return;
    // The view may be still only because nothing it projects was written since its checkpoint.
    if (!(await this.pendingFor(projectionNamed(projection), position))) return;
    if (await this.views.reached(projection, position, WAIT_MS)) return;
    response.setHeader('Retry-After', '1');
    throw new ServiceUnavailableException({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'VIEW_NOT_CAUGHT_UP',
      message: `the ${projection} view has not reached position ${raw} yet; retry shortly`,
    });
  }
}
