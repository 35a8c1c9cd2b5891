import { Controller, Delete, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CART_ERRORS, CartResource } from '../cart.resource';
import { RemoveFromCartCommand } from './remove-from-cart.command';
import { ApiCommand } from '../../http/openapi/api-routes';

@ApiTags('carts')
@Controller({ path: 'carts/:cartId/items/:lineId', version: '1' })
export class RemoveFromCartController {
  constructor(private readonly commands: CommandBus) {}

  @Delete()
  @ApiCommand({
    type: CartResource,
    description: 'The cart without the line; removing it again changes nothing',
    errors: CART_ERRORS,
  })
  async remove(
    @Param('cartId', ParseUUIDPipe) cartId: string,
    @Param('lineId', ParseUUIDPipe) lineId: string,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(response, await this.commands.execute(new RemoveFromCartCommand(cartId, lineId, context)));
  }
}
