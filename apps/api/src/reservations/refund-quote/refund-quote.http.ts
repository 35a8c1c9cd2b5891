import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRefundQuote } from '../../http/openapi/reservation.openapi';
import { Ctx, RequestContext } from '../../http/request-context';
import { RefundQuoteResource, RefundQuotes } from './refund-quote';

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/refund-quote', version: '1' })
export class RefundQuoteController {
  constructor(private readonly quotes: RefundQuotes) {}

  @Get()
  @ApiRefundQuote()
  async quote(@Param('reservationId', ParseUUIDPipe) reservationId: string, @Ctx() context: RequestContext): Promise<RefundQuoteResource> {
    return (await this.quotes.quote(reservationId, context.partnerId, context.now)).quote;
  }
}
