import { Controller, Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { ownedCart } from '@app/ordering';
import { cartsProjection, readCart, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CartResource } from '../cart.resource';

@ApiTags('carts')
@Controller({ path: 'carts/:cartId', version: '1' })
export class GetCartController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
  ) {}

  @Get()
  @ApiHeader({ name: 'X-Min-Position', required: false, description: 'Wait until the view includes this write position' })
  @ApiOkResponse({ type: CartResource, description: 'From the cart view: lines with prices, subtotal, scope, status and expiry' })
  async get(
    @Param('cartId', ParseUUIDPipe) cartId: string,
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    await this.consistency.ensure(cartsProjection.name, request, response);
    const document = await readCart(this.views, cartId);
    const cart = ownedCart(document?.state ?? { status: 'none' }, cartId, context.partnerId);
    return withRevision(response, CartResource.of(cart, BigInt(document!.revision), context.now));
  }
}
