export { EventStoreModule } from './eventstore.module';
export { EventStoreConnection } from './eventstore-connection';
