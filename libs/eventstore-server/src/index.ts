export { EmbeddedEventStore, EmbeddedEventStoreOptions } from './embedded-event-store';
export { MAX_APPEND_SIZE } from './engine/event-store-engine';
