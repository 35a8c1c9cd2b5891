import { Controller, Delete, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CartResource } from '../cart.resource';
import { RemoveFromCartCommand } from './remove-from-cart.command';

@ApiTags('carts')
@Controller({ path: 'carts/:cartId/items/:lineId', version: '1' })
export class RemoveFromCartController {
  constructor(private readonly commands: CommandBus) {}

  @Delete()
  @ApiOkResponse({ type: CartResource, description: 'The cart without the line; removing it again changes nothing' })
  async remove(
    @Param('cartId', ParseUUIDPipe) cartId: string,
    @Param('lineId', ParseUUIDPipe) lineId: string,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    return withRevision(response, await this.commands.execute(new RemoveFromCartCommand(cartId, lineId, context)));
  }
}
