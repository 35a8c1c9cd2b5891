import { Controller, Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { FastifyRequest, FastifyReply } from 'fastify';
import { ownedCart } from '@app/ordering';
import { cartsProjection, readCart, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CartResource } from '../cart.resource';
import { ApiRead } from '../../http/openapi/api-routes';

@ApiTags('carts')
@Controller({ path: 'carts/:cartId', version: '1' })
export class GetCartController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
  ) {}

  @Get()
  @ApiRead({
    type: CartResource,
    description: 'From the cart view: lines with prices, subtotal, scope, status and expiry',
    view: true,
    revision: true,
    errors: { 404: ['CART_NOT_FOUND'] },
  })
  async get(
    @Param('cartId', ParseUUIDPipe) cartId: string,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    await this.consistency.ensure(cartsProjection.name, request, response);
    const document = await readCart(this.views, cartId);
    const cart = ownedCart(document?.state ?? { status: 'none' }, cartId, context.partnerId);
    return withRevision(response, CartResource.of(cart, BigInt(document!.revision), context.now));
  }
}
