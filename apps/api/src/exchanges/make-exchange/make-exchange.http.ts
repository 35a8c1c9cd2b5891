import { Body, Controller, HttpException, HttpStatus, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Exchanges } from '@app/ordering';
import { PRECONDITION_REQUIRED } from '../../http/precondition.guard';
import { Ctx, RequestContext } from '../../http/request-context';
import { ApiMakeExchange, askedBy, ExchangeRequest, ExchangeResource } from '../exchange.resource';

@ApiTags('exchanges')
@Controller({ path: 'exchanges', version: '1' })
export class MakeExchangeController {
  constructor(private readonly exchanges: Exchanges) {}

  @Post()
  @ApiMakeExchange()
  async exchange(@Body() body: ExchangeRequest, @Ctx() context: RequestContext): Promise<ExchangeResource> {
    // Its streams are several, so no one If-Match names it (refused, see ApiMakeExchange): the key does, and a retry meets the same exchange.
    if (context.idempotencyKey === undefined) {
      throw new HttpException(
        {
          code: PRECONDITION_REQUIRED,
          message: 'an exchange moves money and a retry of it would repeat it: send an Idempotency-Key',
        },
        HttpStatus.PRECONDITION_REQUIRED,
      );
    }
    const made = await this.exchanges.exchange(
      context.newId('exchange'),
      context.newId('exchange/new-reservation'),
      askedBy(body, context.partnerId),
      context,
    );
    return ExchangeResource.of(made);
  }
}
