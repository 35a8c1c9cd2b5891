import { Module } from '@nestjs/common';
import { reactorProviders } from '@app/projections';
import { ExchangeCompletionReactor } from './exchange/exchange-completion.reactor';
import { PurchaseCompletionReactor } from './purchase/purchase-completion.reactor';
import { RefundSettlementReactor } from './refund-settlement/refund-settlement.reactor';
import { RenewalOrderReactor } from './renewal/renewal-order.reactor';

/** In the worker: the reactors that finish purchases, cancellations, exchanges and renewals without the client. */
@Module({
  providers: reactorProviders(
    PurchaseCompletionReactor,
    RefundSettlementReactor,
    RenewalOrderReactor,
    ExchangeCompletionReactor,
  ),
})
export class ReactorsModule {}
