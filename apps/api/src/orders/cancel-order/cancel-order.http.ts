import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { FastifyReply } from 'fastify';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { OrderResource } from '../../http/openapi/order.resource';
import { ORDER_ERRORS } from '../order.openapi';
import { CancelOrderCommand } from './cancel-order.command';
import { ApiCommand } from '../../http/openapi/api-routes';

export class CancelOrderRequest {
  @ApiProperty({ example: 'customer changed its mind' }) @IsString() @IsNotEmpty() @MaxLength(500) reason: string;
}

@ApiTags('orders')
@Controller({ path: 'orders/:orderId/cancel', version: '1' })
export class CancelOrderController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @ApiCommand({ type: OrderResource, description: 'Only a pending order can be cancelled', errors: ORDER_ERRORS })
  async cancel(
    @Param('orderId', ParseUUIDPipe) orderId: string,
    @Body() body: CancelOrderRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(response, await this.commands.execute(new CancelOrderCommand(orderId, body.reason, context)));
  }
}
