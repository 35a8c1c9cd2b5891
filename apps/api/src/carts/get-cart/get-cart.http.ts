import { Controller, Get, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { PartnerScopedReads } from '@app/ordering';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CartResource } from '../cart.resource';

@ApiTags('carts')
@Controller({ path: 'carts/:cartId', version: '1' })
export class GetCartController {
  constructor(private readonly reads: PartnerScopedReads) {}

  @Get()
  @ApiOkResponse({ type: CartResource })
  async get(@Param('cartId', ParseUUIDPipe) cartId: string, @Ctx() context: RequestContext, @Res({ passthrough: true }) response: Response) {
    const { state, revision } = await this.reads.cart(cartId, context.partnerId);
    return withRevision(response, CartResource.of(state, revision, context.now));
  }
}
