import { Body, Controller, Param, ParseUUIDPipe, Patch, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { FastifyReply } from 'fastify';
import { MAX_QUANTITY } from '@app/domain';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CART_ERRORS, CartResource } from '../cart.resource';
import { ChangeQuantityCommand } from './change-quantity.command';
import { ApiCommand } from '../../http/openapi/api-routes';

export class ChangeQuantityRequest {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_QUANTITY })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity: number;
}

@ApiTags('carts')
@Controller({ path: 'carts/:cartId/items/:lineId', version: '1' })
export class ChangeQuantityController {
  constructor(private readonly commands: CommandBus) {}

  @Patch()
  @ApiCommand({ type: CartResource, description: 'The cart with the new quantity', errors: CART_ERRORS })
  async change(
    @Param('cartId', ParseUUIDPipe) cartId: string,
    @Param('lineId', ParseUUIDPipe) lineId: string,
    @Body() body: ChangeQuantityRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(
      response,
      await this.commands.execute(new ChangeQuantityCommand(cartId, lineId, body.quantity, context)),
    );
  }
}
