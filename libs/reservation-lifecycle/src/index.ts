export * from './reservation-lifecycle';
export * from './reservation-lifecycle.module';
export * from './reservation-lifecycle.processor';
export * from './scope-fallback.reactor';
