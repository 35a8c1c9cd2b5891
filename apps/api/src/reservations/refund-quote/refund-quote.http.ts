import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Ctx, RequestContext } from '../../http/request-context';
import { RefundQuoteResource, RefundQuotes } from './refund-quote';

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/refund-quote', version: '1' })
export class RefundQuoteController {
  constructor(private readonly quotes: RefundQuotes) {}

  @Get()
  @ApiOkResponse({
    description:
      "The prorated refund at the lower of the purchase and current price, and the customer's remaining allowance (USD 50,000 per rolling 12 months)",
  })
  async quote(@Param('reservationId', ParseUUIDPipe) reservationId: string, @Ctx() context: RequestContext): Promise<RefundQuoteResource> {
    return (await this.quotes.quote(reservationId, context.partnerId, context.now)).quote;
  }
}
