export * from './usage-store';
export * from './customer-benefits';
export * from './discount-calculation';
export * from './discount-jobs';
export * from './hour-set';
export * from './discount.module';
