import { Controller, HttpStatus, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { OrderResource } from '../../http/openapi/order.resource';
import { PurchaseOrderCommand } from './purchase-order.command';
import { ApiCommand } from '../../http/openapi/api-routes';
import { CART_ERRORS } from '../cart.resource';

@ApiTags('carts')
@Controller({ path: 'carts/:cartId/purchase', version: '1' })
export class PurchaseOrderController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiCommand({
    status: HttpStatus.CREATED,
    type: OrderResource,
    description: 'The order was placed; it is pending until fulfilment. Location names it',
    also: [
      { status: HttpStatus.OK, type: OrderResource, description: 'The cart was already bought: the same order again' },
    ],
    body: false,
    errors: CART_ERRORS,
  })
  async purchase(
    @Param('cartId', ParseUUIDPipe) cartId: string,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    const { order, created } = await this.commands.execute(new PurchaseOrderCommand(cartId, context));
    response.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    response.header('Location', `/v1/orders/${order.orderId}`);
    return withRevision(response, order);
  }
}
