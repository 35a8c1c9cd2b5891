import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  BillingPlan,
  Cart,
  CartCommand,
  cartDecider,
  CartEvent,
  cartStream,
  cartTotal,
  lineTotal,
  OpenCart,
  Scope,
  Term,
} from '@app/domain';
import { Revision } from '@app/eventstore-client';
import { ownedCart } from '@app/ordering';
import { ownedStream } from '../http/change-owned';
import { RouteErrors } from '../http/openapi/api-routes';
import { ScopeResource } from '../http/openapi/scope.resource';
import { RequestContext } from '../http/request-context';

/** What a cart command can refuse with, beyond what every command can. */
export const CART_ERRORS: RouteErrors = {
  404: [
    'CART_NOT_FOUND',
    'CART_LINE_NOT_FOUND',
    'CATALOG_ITEM_NOT_FOUND',
    'CUSTOMER_NOT_FOUND',
    'MANAGEMENT_GROUP_NOT_FOUND',
  ],
  409: ['CART_ALREADY_EXISTS', 'CART_ALREADY_PURCHASED', 'CART_EXPIRED', 'CART_LINE_ALREADY_EXISTS'],
  422: [
    'BILLING_PLAN_MISMATCH',
    'BILLING_PLAN_NOT_OFFERED',
    'CART_EMPTY',
    'CART_FULL',
    'INVALID_QUANTITY',
    'NO_ACTIVE_SUBSCRIPTION',
    'SUBSCRIPTION_NOT_ACTIVE',
    'SUBSCRIPTION_NOT_OWNED',
    'TERM_MISMATCH',
  ],
};

export class CartLineResource {
  @ApiProperty() lineId: string;
  @ApiProperty({ example: 'ri-standard_d4s_v5-westeurope-p1y' }) catalogItemId: string;
  @ApiProperty({ example: 'Standard_D4s_v5' }) armSkuName: string;
  @ApiProperty({ example: 'westeurope' }) region: string;
  @ApiProperty({ enum: ['P1Y', 'P3Y'] }) term: Term;
  @ApiProperty({ enum: ['Upfront', 'Monthly'] }) billingPlan: BillingPlan;
  @ApiProperty({ example: 3 }) quantity: number;
  @ApiProperty({ format: 'uuid' }) subscriptionId: string;
  @ApiProperty({ example: 1062.72 }) unitPriceUsd: number;
  @ApiProperty({ example: 3188.16 }) lineTotalUsd: number;
  @ApiPropertyOptional({ description: 'Renew at expiry; on by default' }) autoRenew?: boolean;
}

export class CartResource {
  @ApiProperty() cartId: string;
  @ApiProperty() customerId: string;
  @ApiProperty({ enum: ['active', 'purchased', 'expired'] }) status: 'active' | 'purchased' | 'expired';
  @ApiProperty() createdAt: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ type: ScopeResource, example: { type: 'single', subscriptionId: '9f1c…' } }) scope: Scope;
  @ApiProperty({ type: [CartLineResource] }) lines: CartLineResource[];
  @ApiProperty() subtotalUsd: number;
  @ApiPropertyOptional() orderId?: string;
  @ApiPropertyOptional() orderNumber?: string;
  @ApiProperty() revision: string;
  @ApiPropertyOptional({
    description: '$all position of the write; send it as X-Min-Position to read it back from a view',
  })
  position?: string;

  static of(cart: OpenCart, revision: Revision, now: string, position?: bigint): CartResource {
    const expired = cart.status === 'active' && now >= cart.expiresAt;
    return {
      cartId: cart.cartId,
      customerId: cart.customerId,
      status: expired ? 'expired' : cart.status,
      createdAt: cart.createdAt,
      expiresAt: cart.expiresAt,
      scope: cart.scope,
      lines: cart.lines.map((line) => ({ ...line, lineTotalUsd: lineTotal(line.quantity, line.unitPriceUsd) })),
      subtotalUsd: cartTotal(cart.lines),
      orderId: cart.orderId,
      orderNumber: cart.orderNumber,
      revision: revision.toString(),
      position: position?.toString(),
    };
  }
}

/** A cart of the caller's partner, as a change sees it. */
export const ownedCartStream = (cartId: string, context: RequestContext) =>
  ownedStream<Cart, OpenCart, CartCommand, CartEvent, CartResource>({
    stream: cartStream(cartId),
    decider: cartDecider,
    owned: (state) => ownedCart(state, cartId, context.partnerId),
    toResource: (cart, handled) => CartResource.of(cart, handled.revision, context.now, handled.position),
  });
