export { EventType, EVENT_TYPES } from './event-types';
export { JsonSchema } from './json-schema';
export {
  catalogDocument,
  currentVersionOf,
  eventTypeOf,
  METADATA_SCHEMA,
  schemaOf,
  storedVersionOf,
  upcast,
} from './event-catalog';
