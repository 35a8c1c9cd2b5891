import { BadRequestException, Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { FastifyRequest, FastifyReply } from 'fastify';
import { fold, notFound, orderDecider, OrderEvent, orderStream } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ownedOrder } from '@app/ordering';
import { orderHistoryProjection, readOrder, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { parseIso8601 } from '../../http/iso-8601';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { OrderResource } from '../../http/openapi/order.resource';
import { ApiRead } from '../../http/openapi/api-routes';

@ApiTags('orders')
@Controller({ path: 'orders/:orderId', version: '1' })
export class GetOrderController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
    private readonly streams: EventStreams,
  ) {}

  @Get()
  @ApiQuery({
    name: 'asOf',
    required: false,
    description: 'For auditors: the order as it was at a time (ISO 8601) or a stream revision, folded from its events',
  })
  @ApiRead({
    type: OrderResource,
    description: 'From the order-history view, or with asOf folded from the order’s events',
    view: true,
    revision: true,
    errors: { 400: ['INVALID_AS_OF'], 404: ['ORDER_NOT_FOUND'] },
  })
  async get(
    @Param('orderId', ParseUUIDPipe) orderId: string,
    @Query('asOf') asOf: string | undefined,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    if (asOf !== undefined) return this.asOf(orderId, asOf, context);
    await this.consistency.ensure(orderHistoryProjection.name, request, response);
    const document = await readOrder(this.views, orderId);
    const order = ownedOrder(document?.state ?? { status: 'none' }, orderId, context.partnerId);
    return withRevision(response, OrderResource.of(order, BigInt(document!.revision)));
  }

  /** Replays the order's own events up to a revision or a moment: what the order was then. */
  private async asOf(orderId: string, asOf: string, context: RequestContext): Promise<OrderResource> {
    const byRevision = /^\d+$/.test(asOf);
    const moment = byRevision ? undefined : parseIso8601(asOf);
    if (!byRevision && moment === undefined) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        code: 'INVALID_AS_OF',
        message: 'asOf must be an ISO 8601 time or a stream revision',
      });
    }
    const history = await this.streams.history(orderStream(orderId));
    const upTo = history.filter((event) =>
      byRevision ? event.revision <= Number(asOf) : Date.parse(event.created) <= moment!,
    );
    const asEvents = (events: typeof history) =>
      events.map((event) => ({ type: event.type, data: event.data }) as OrderEvent);
    ownedOrder(fold(orderDecider, asEvents(history)), orderId, context.partnerId);
    const then = fold(orderDecider, asEvents(upTo));
    if (then.status === 'none') throw notFound('ORDER_NOT_FOUND', `order ${orderId} had not been placed as of ${asOf}`);
    return OrderResource.of(then, BigInt(upTo.at(-1)!.revision));
  }
}
