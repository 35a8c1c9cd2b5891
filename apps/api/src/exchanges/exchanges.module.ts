import { Module } from '@nestjs/common';
import { MakeExchangeController } from './make-exchange/make-exchange.http';
import { QuoteExchangeController } from './quote-exchange/quote-exchange.http';

/** Exchanges of one or more reservations of a customer for one purchase, and their quotes. */
@Module({
  // The static route before the bare one.
  controllers: [QuoteExchangeController, MakeExchangeController],
})
export class ExchangesModule {}
