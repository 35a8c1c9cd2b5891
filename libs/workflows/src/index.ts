export * from './caused-by';
export * from './workflows.module';
export * from './purchase/purchase-completion.workflow';
export * from './refund-settlement/refund-settlement.workflow';
export * from './renewal/renewal-order.workflow';
export * from './exchange/exchange-completion.workflow';
