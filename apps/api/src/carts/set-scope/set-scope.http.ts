import { Body, Controller, Param, ParseUUIDPipe, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ScopeRequest } from '../../http/openapi/scope.resource';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CART_ERRORS, CartResource } from '../cart.resource';
import { SetScopeCommand } from './set-scope.command';
import { ApiCommand } from '../../http/openapi/api-routes';

@ApiTags('carts')
@Controller({ path: 'carts/:cartId/scope', version: '1' })
export class SetScopeController {
  constructor(private readonly commands: CommandBus) {}

  @Put()
  @ApiCommand({ type: CartResource, description: 'The cart with its scope', errors: CART_ERRORS })
  async set(
    @Param('cartId', ParseUUIDPipe) cartId: string,
    @Body() body: ScopeRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(response, await this.commands.execute(new SetScopeCommand(cartId, body.toScope(), context)));
  }
}
