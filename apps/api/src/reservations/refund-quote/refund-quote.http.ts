import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_QUANTITY, returnQuantityInvalid } from '@app/domain';
import { ApiRefundQuote } from '../reservation.openapi';
import { Ctx, RequestContext } from '../../http/request-context';
import { RefundQuoteResource, RefundQuotes } from '../refund-quotes';

export class RefundQuoteQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_QUANTITY,
    example: 1,
    description: 'Quote a return of this many of its VMs; all it holds (a cancellation) by default',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity?: number;
}

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/refund-quote', version: '1' })
export class RefundQuoteController {
  constructor(private readonly quotes: RefundQuotes) {}

  @Get()
  @ApiRefundQuote()
  async quote(
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Query() query: RefundQuoteQuery,
    @Ctx() context: RequestContext,
  ): Promise<RefundQuoteResource> {
    const { quote, reservation } = await this.quotes.quote(
      reservationId,
      context.partnerId,
      context.now,
      query.quantity,
    );
    // The return itself would refuse it the same way.
    if (query.quantity !== undefined && query.quantity > reservation.quantity)
      throw returnQuantityInvalid(query.quantity, reservation.quantity);
    return quote;
  }
}
