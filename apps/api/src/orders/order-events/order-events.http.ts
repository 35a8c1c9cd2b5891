import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { fold, orderDecider, OrderEvent, orderStream } from '@app/domain';
import { EventStreams, RecordedHistoryEvent } from '@app/eventstore-client';
import { ownedOrder } from '@app/ordering';
import { Ctx, RequestContext } from '../../http/request-context';
import { ApiRead } from '../../http/openapi/api-routes';
import { OrderEventsResource } from '../order.openapi';

/** For auditors: the order's events in order, each with who did it, when, and why. */
@ApiTags('orders')
@Controller({ path: 'orders/:orderId/events', version: '1' })
export class OrderEventsController {
  constructor(private readonly streams: EventStreams) {}

  @Get()
  @ApiRead({
    type: OrderEventsResource,
    description:
      'Events with revision, type, data, created, position and metadata (correlationId, causationId, partnerId, actor, timestamp)',
    errors: { 404: ['ORDER_NOT_FOUND'] },
  })
  async list(
    @Param('orderId', ParseUUIDPipe) orderId: string,
    @Ctx() context: RequestContext,
  ): Promise<{ orderId: string; events: RecordedHistoryEvent[] }> {
    const events = await this.streams.history(orderStream(orderId));
    ownedOrder(
      fold(
        orderDecider,
        events.map((event) => ({ type: event.type, data: event.data }) as OrderEvent),
      ),
      orderId,
      context.partnerId,
    );
    return { orderId, events };
  }
}
