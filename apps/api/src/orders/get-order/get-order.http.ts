import { Controller, Get, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { PartnerScopedReads } from '@app/ordering';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { OrderResource } from '../order.resource';

@ApiTags('orders')
@Controller({ path: 'orders/:orderId', version: '1' })
export class GetOrderController {
  constructor(private readonly reads: PartnerScopedReads) {}

  @Get()
  @ApiOkResponse({ type: OrderResource })
  async get(@Param('orderId', ParseUUIDPipe) orderId: string, @Ctx() context: RequestContext, @Res({ passthrough: true }) response: Response) {
    const { state, revision } = await this.reads.order(orderId, context.partnerId);
    return withRevision(response, OrderResource.of(state, revision));
  }
}
