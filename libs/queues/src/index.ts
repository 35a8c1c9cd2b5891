export * from './queue-names';
export * from './queues.module';
export * from './worker-signals';
export * from './outage-delay';
