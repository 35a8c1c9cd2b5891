import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { METADATA_SCHEMA, schemaOf, storedVersionOf } from '../src';

const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const validators = new Map<string, ValidateFunction>();
const metadataValid = ajv.compile(METADATA_SCHEMA);

function validatorFor(type: string, version: number): ValidateFunction | undefined {
  const key = `${type}@${version}`;
  if (!validators.has(key)) {
    const schema = schemaOf(type, version);
    if (schema) validators.set(key, ajv.compile(schema));
  }
  return validators.get(key);
}

export interface StoredEventLike {
  type: string;
  data: unknown;
  metadata?: unknown;
  streamId?: string;
  revision?: bigint | number;
}

/** What is wrong with stored events, each in words naming the event; empty when every one matches its type's schema at its version. */
export function eventViolations(events: Iterable<StoredEventLike>): string[] {
  const found: string[] = [];
  for (const event of events) {
    if (event.type.startsWith('$')) continue; // the store's own
    const where = `${event.type} (${event.streamId ?? '?'}@${String(event.revision ?? '?')})`;
    const version = storedVersionOf(event.metadata);
    const validate = validatorFor(event.type, version);
    if (!validate) {
      found.push(
        schemaOf(event.type)
          ? `${where}: version ${version} has no schema in the event catalog`
          : `${where}: no schema for event type ${event.type}; add it to its aggregate's file in libs/event-catalog/src/events/ (see docs/events.md)`,
      );
      continue;
    }
    if (!validate(event.data))
      found.push(
        ...validate.errors!.map(
          (error) => `${where} v${version}: data${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`,
        ),
      );
    if (event.metadata === undefined || event.metadata === null)
      found.push(
        `${where}: no metadata (a test appending events itself must give them the metadata every event carries)`,
      );
    else if (!metadataValid(event.metadata))
      found.push(...metadataValid.errors!.map((error) => `${where}: metadata${error.instancePath} ${error.message}`));
  }
  return found;
}
