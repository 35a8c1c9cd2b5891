export { EventStoreModule } from './eventstore.module';
export { EventStoreConnection } from './eventstore-connection';
export {
  EventStreams,
  ConcurrencyError,
  NO_STREAM,
  Revision,
  Folded,
  Handled,
  HandleOptions,
  RecordedHistoryEvent,
} from './event-streams';
export { EventMetadata, CommandContext, metadataFor } from './event-metadata';
export {
  EventStore,
  NewEvent,
  StoredEvent,
  ExpectedRevision,
  AppendResult,
  WrongExpectedRevisionError,
  AllSubscription,
  SubscribeToAllOptions,
} from './port/event-store.port';
export { EsdbEventStore } from './adapters/esdb-event-store';
export { InMemoryEventStore } from './adapters/in-memory-event-store';
export { Commands } from './event-streams';
