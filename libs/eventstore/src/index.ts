export { EventStoreModule } from './eventstore.module';
export { EventStoreConnection } from './eventstore-connection';
export { EventStreams, ConcurrencyError, NO_STREAM, Revision, Folded, Handled, HandleOptions, RecordedHistoryEvent } from './event-streams';
export { EventMetadata, CommandContext, metadataFor } from './event-metadata';
