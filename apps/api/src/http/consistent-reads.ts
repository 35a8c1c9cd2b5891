import { BadRequestException, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { FastifyRequest, FastifyReply } from 'fastify';
import { EventStore } from '@app/eventstore-client';
import { Projection, projectionNamed, scanUnapplied, ViewReader } from '@app/projections';

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
    private readonly store: EventStore,
  ) {}

  /** Whether an event the projection takes sits between its checkpoint and `position`. */
  private async pendingFor(projection: Projection, position: bigint): Promise<boolean> {
    const { count, truncated } = await scanUnapplied(this.store, this.views, projection, {
      limit: SCAN_LIMIT,
      upTo: position,
    });
    return count > 0 || truncated;
  }

  async ensure(projection: string, request: FastifyRequest, response: FastifyReply): Promise<void> {
    const header = request.headers['x-min-position'];
    const raw = (Array.isArray(header) ? header[0] : header) ?? (request.query as { minPosition?: string }).minPosition;
    if (raw === undefined) return;
    if (!/^\d{1,20}$/.test(raw)) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        code: 'INVALID_MIN_POSITION',
        message: 'X-Min-Position must be a position returned in X-Position',
      });
    }
    await this.reach(projection, BigInt(raw), response);
  }

  /** Waits until the view has applied everything it takes up to `position`, or answers 503 VIEW_NOT_CAUGHT_UP. */
  async reach(projection: string, position: bigint, response: FastifyReply): Promise<void> {
    if (await this.views.reached(projection, position, FIRST_WAIT_MS)) return;
    // The view may be still only because nothing it projects was written since its checkpoint.
    if (!(await this.pendingFor(projectionNamed(projection), position))) return;
    if (await this.views.reached(projection, position, WAIT_MS)) return;
    response.header('Retry-After', '1');
    throw new ServiceUnavailableException({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'VIEW_NOT_CAUGHT_UP',
      message: `the ${projection} view has not reached position ${position} yet; retry shortly`,
    });
  }
}
