import { HttpStatus, Controller, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CART_ERRORS, CartResource } from '../cart.resource';
import { CreateCartCommand } from './create-cart.command';
import { ApiCommand } from '../../http/openapi/api-routes';

@ApiTags('carts')
@Controller({ path: 'customers/:customerId/carts', version: '1' })
export class CreateCartController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiCommand({
    status: HttpStatus.CREATED,
    type: CartResource,
    description: 'An empty cart, valid for 7 days',
    errors: CART_ERRORS,
    ifMatch: false,
  })
  async create(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(response, await this.commands.execute(new CreateCartCommand(customerId, context)));
  }
}
