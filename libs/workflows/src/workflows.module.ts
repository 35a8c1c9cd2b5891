import { Module } from '@nestjs/common';
import { reactorProviders } from '@app/projections';
import { ExchangeCompletionWorkflow } from './exchange/exchange-completion.workflow';
import { PurchaseCompletion } from './purchase/purchase-completion.workflow';
import { RefundSettlementWorkflow } from './refund-settlement/refund-settlement.workflow';
import { RenewalOrderWorkflow } from './renewal/renewal-order.workflow';

/** In the worker: the reactors that finish purchases, cancellations, exchanges and renewals without the client. */
@Module({
  providers: reactorProviders(PurchaseCompletion, RefundSettlementWorkflow, RenewalOrderWorkflow, ExchangeCompletionWorkflow),
})
export class WorkflowsModule {}
