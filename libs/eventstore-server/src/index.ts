export { EmbeddedEventStore, EmbeddedEventStoreOptions } from './embedded-event-store';
export { embeddedStoreOptions, EmbeddedStoreSettings } from './embedded-settings';
export { MAX_APPEND_SIZE } from './engine/event-store-engine';
