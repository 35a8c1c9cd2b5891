import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { FastifyRequest, FastifyReply } from 'fastify';
import { customersOfPartner, customersProjection, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { decodeCursor, encodeCursor } from '../../http/page-cursor';
import { Ctx, RequestContext } from '../../http/request-context';
import { CustomerPageResource, CustomerResource } from '../customer.resource';
import { ApiRead } from '../../http/openapi/api-routes';

export class ListCustomersQuery {
  @ApiPropertyOptional({ description: 'Part of the name, any case' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
  @ApiPropertyOptional({ default: 20, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) cursor?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() minPosition?: string;
}

/** Find a customer of the partner, newest registration first. */
@ApiTags('customers')
@Controller({ path: 'customers', version: '1' })
export class ListCustomersController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
  ) {}

  @Get()
  @ApiRead({
    type: CustomerPageResource,
    description: 'A page of the partner’s customers and the cursor of the next page',
    view: true,
  })
  async list(
    @Query() query: ListCustomersQuery,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    await this.consistency.ensure(customersProjection.name, request, response);
    const limit = query.limit ?? 20;
    const needle = query.name?.toLowerCase();
    let after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const items: CustomerResource[] = [];
    for (;;) {
      const listed = await customersOfPartner(this.views, context.partnerId, { after, limit: limit * 2 });
      for (const { entry, document } of listed) {
        after = entry;
        const customer = document?.state;
        if (!customer || customer.status !== 'registered' || (needle && !customer.name.toLowerCase().includes(needle)))
          continue;
        items.push(CustomerResource.of(customer, BigInt(document.revision)));
        if (items.length === limit) return { items, nextCursor: encodeCursor(entry) };
      }
      if (listed.length < limit * 2) return { items };
    }
  }
}
