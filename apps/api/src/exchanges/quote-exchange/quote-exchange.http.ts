import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Exchanges } from '@app/ordering';
import { Ctx, RequestContext } from '../../http/request-context';
import { ApiQuoteExchange, askedBy, ExchangeQuoteResource, ExchangeRequest } from '../exchange.resource';

@ApiTags('exchanges')
@Controller({ path: 'exchanges/quote', version: '1' })
export class QuoteExchangeController {
  constructor(private readonly exchanges: Exchanges) {}

  @Post()
  @HttpCode(200)
  @ApiQuoteExchange()
  async quote(@Body() body: ExchangeRequest, @Ctx() context: RequestContext): Promise<ExchangeQuoteResource> {
    return ExchangeQuoteResource.of(await this.exchanges.quote(askedBy(body, context.partnerId), context.now));
  }
}
