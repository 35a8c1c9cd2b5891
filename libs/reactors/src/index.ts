export * from './caused-by';
export * from './reactors.module';
export * from './purchase/purchase-completion.reactor';
export * from './refund-settlement/refund-settlement.reactor';
export * from './renewal/renewal-order.reactor';
export * from './exchange/exchange-completion.reactor';
