import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { FastifyRequest, FastifyReply } from 'fastify';
import { Order, OrderStatus, Term, TERMS } from '@app/domain';
import { orderHistoryProjection, orderKeys, ordersIn, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { iso8601Instant, IsIso8601Date } from '../../http/iso-8601';
import { customerFromView } from '../../http/owned-views';
import { decodeCursor, encodeCursor } from '../../http/page-cursor';
import { Ctx, RequestContext } from '../../http/request-context';
import { OrderResource } from '../../http/openapi/order.resource';
import { OrderPageResource } from '../order.openapi';
import { ApiRead } from '../../http/openapi/api-routes';

const STATUSES: OrderStatus[] = ['pending', 'completed', 'failed', 'cancelled'];

export class OrderHistoryQuery {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: OrderStatus;
  @ApiPropertyOptional({ description: 'Placed at or after (ISO 8601)' }) @IsOptional() @IsIso8601Date() from?: string;
  @ApiPropertyOptional({ description: 'Placed before (ISO 8601)' }) @IsOptional() @IsIso8601Date() to?: string;
  @ApiPropertyOptional({ enum: TERMS }) @IsOptional() @IsIn(TERMS) term?: Term;
  @ApiPropertyOptional({ example: 'westeurope' }) @IsOptional() @IsString() @MaxLength(50) region?: string;
  @ApiPropertyOptional({ default: 20, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
  @ApiPropertyOptional({ description: 'Same as the X-Min-Position header' })
  @IsOptional()
  @IsString()
  minPosition?: string;
}

export interface OrderHistoryPage {
  items: OrderResource[];
  nextCursor?: string;
}

/** Order history, newest first, from the order-history view. */
@ApiTags('orders')
@Controller({ version: '1' })
export class OrderHistoryController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
  ) {}

  @Get('customers/:customerId/orders')
  @ApiRead({
    type: OrderPageResource,
    description: "A page of the customer's orders, newest first, and the cursor of the next page",
    view: true,
    errors: { 400: ['INVALID_CURSOR'], 404: ['CUSTOMER_NOT_FOUND'] },
  })
  async forCustomer(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Query() query: OrderHistoryQuery,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<OrderHistoryPage> {
    await this.consistency.ensure(orderHistoryProjection.name, request, response);
    // The index is per customer; the partner check is on each order document as well.
    await customerFromView(this.views, customerId, context.partnerId);
    return this.page(orderKeys.ofCustomer(customerId), query, context);
  }

  @Get('orders')
  @ApiRead({
    type: OrderPageResource,
    description: "A page of all the partner's orders, newest first, and the cursor of the next page",
    view: true,
    errors: { 400: ['INVALID_CURSOR'] },
  })
  async forPartner(
    @Query() query: OrderHistoryQuery,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    await this.consistency.ensure(orderHistoryProjection.name, request, response);
    return this.page(orderKeys.ofPartner(context.partnerId), query, context);
  }

  private async page(index: string, query: OrderHistoryQuery, context: RequestContext): Promise<OrderHistoryPage> {
    const limit = query.limit ?? 20;
    let after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const items: OrderResource[] = [];
    const minScore = query.from ? iso8601Instant(query.from) : undefined;
    const maxScore = query.to ? iso8601Instant(query.to) - 1 : undefined;
    for (;;) {
      const listed = await ordersIn(this.views, index, { minScore, maxScore, after, limit: limit * 2 });
      for (const { entry, document } of listed) {
        after = entry;
        const order = document?.state;
        if (!order || order.status === 'none' || order.partnerId !== context.partnerId || !matches(order, query))
          continue;
        items.push(OrderResource.of(order, BigInt(document.revision)));
        if (items.length === limit) return { items, nextCursor: encodeCursor(entry) };
      }
      if (listed.length < limit * 2) return { items };
    }
  }
}

function matches(order: Exclude<Order, { status: 'none' }>, query: OrderHistoryQuery): boolean {
  if (query.status && order.status !== query.status) return false;
  if (query.term && !order.lines.some((line) => line.term === query.term)) return false;
  if (query.region && !order.lines.some((line) => line.region === query.region!.toLowerCase())) return false;
  return true;
}
