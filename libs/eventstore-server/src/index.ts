export {
  EmbeddedEventStore,
  EmbeddedEventStoreOptions,
  embeddedConnectionString,
  EmbeddedTls,
  EmbeddedUser,
} from './embedded-event-store';
export { embeddedStoreOptions, EmbeddedStoreSettings, parseUsers } from './embedded-settings';
export { MAX_APPEND_SIZE } from './engine/event-store-engine';
