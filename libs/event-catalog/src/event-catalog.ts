import { EVENT_TYPES, EventType } from './event-types';
import { JsonSchema } from './json-schema';

/**
 * The catalog of every event the system writes, for auditors and for code
 * that reads old events.
 *
 * Versions: an event's version is its metadata's `schemaVersion`, or 1 when
 * absent (every event written before versions existed). A change that old
 * readers cannot take (a field renamed, removed or made required) makes a
 * new version: the old schema moves to `older` with an `upcast` to the next
 * version, writers stamp `schemaVersion` (EventStreams does, from here), and
 * readers call `upcast` so they only ever see the current shape. Stored
 * events are never rewritten: they keep validating against their own
 * version's schema.
 */
const BY_TYPE = new Map(EVENT_TYPES.map((entry) => [entry.type, entry]));

export const eventTypeOf = (type: string): EventType | undefined => BY_TYPE.get(type);

/** The version writers write now; undefined for a type the catalog does not know. */
export const currentVersionOf = (type: string): number | undefined => BY_TYPE.get(type)?.version;

/** The version a stored event was written at. */
export function storedVersionOf(metadata: unknown): number {
  const version = (metadata as { schemaVersion?: unknown } | undefined)?.schemaVersion;
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : 1;
}

/** The schema of a type's data at a version (the current one by default). */
export function schemaOf(type: string, version?: number): JsonSchema | undefined {
  const entry = BY_TYPE.get(type);
  if (!entry) return undefined;
  if (version === undefined || version === entry.version) return entry.schema;
  return entry.older?.[version]?.schema;
}

/** A stored event's data in the current version's shape: each upcast from its version on, in order. */
export function upcast<Data>(
  type: string,
  data: Data,
  version: number,
  catalog: readonly EventType[] = EVENT_TYPES,
): Data {
  const entry = catalog === EVENT_TYPES ? BY_TYPE.get(type) : catalog.find((candidate) => candidate.type === type);
  if (!entry || version >= entry.version) return data;
  let current = data as Record<string, unknown>;
  for (let from = version; from < entry.version; from++) {
    const step = entry.older?.[from];
    if (!step)
      throw new Error(`event ${type} version ${from} has no upcast to version ${from + 1} in the event catalog`);
    current = step.upcast(current);
  }
  return current as Data;
}

/** What GET /v1/events/schemas serves: plain JSON an auditor's tool can decode any stream with. */
export function catalogDocument() {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    description:
      'Every event type: the stream it is written to, what causes it, and its data schema in every version. ' +
      'An event’s version is metadata.schemaVersion, or 1 when absent. Metadata: correlationId, causationId, partnerId, actor, role, timestamp.',
    metadata: METADATA_SCHEMA,
    events: EVENT_TYPES.map((entry) => ({
      type: entry.type,
      version: entry.version,
      stream: entry.stream,
      cause: entry.cause,
      schema: entry.schema,
      versions: versionsOf(entry),
      example: entry.example,
    })),
  };
}

/** Every version's schema of a type, by version. */
function versionsOf(entry: EventType): Record<number, JsonSchema> {
  const versions: Record<number, JsonSchema> = { [entry.version]: entry.schema };
  for (const [version, { schema }] of Object.entries(entry.older ?? {})) versions[Number(version)] = schema;
  return versions;
}

/** Every event's metadata (libs/eventstore-client/src/event-metadata.ts). */
export const METADATA_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    correlationId: { type: 'string', description: 'Shared by everything one upstream request set in motion' },
    causationId: { type: 'string', description: 'The command or event that directly caused this event' },
    partnerId: { type: 'string' },
    actor: { type: 'string', description: 'The API client or worker that acted: partnerId/client' },
    role: {
      type: 'string',
      enum: ['writer', 'reader', 'auditor'],
      description: 'The role of the API key that acted; absent for workers',
    },
    timestamp: { type: 'string', format: 'date-time', description: 'When the command was handled' },
    schemaVersion: { type: 'integer', minimum: 1, description: 'The version of the data’s schema; 1 when absent' },
  },
  required: ['correlationId', 'causationId', 'partnerId', 'actor', 'timestamp'],
};
