import { EVENT_TYPES } from './event-types';
import { JsonSchema } from './json-schema';

/** One line per property: name, type, and whether it may be absent. */
function fields(schema: JsonSchema): string {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties) return '';
  const required = new Set(schema.required as string[]);
  return Object.entries(properties)
    .map(([name, property]) => `\`${name}\`${required.has(name) ? '' : ' (optional)'}: ${typeName(property)}`)
    .join(' · ');
}

function typeName(schema: JsonSchema): string {
  if (schema.enum) return (schema.enum as string[]).map((value) => `\`${value}\``).join(' \\| ');
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.oneOf) return 'scope';
  if (schema.type === 'array') return `${typeName(schema.items as JsonSchema)}[]`;
  if (schema.format === 'date-time') return 'instant';
  return typeof schema.type === 'string' ? schema.type : 'any';
}

const INTRO = `# Event catalog

Generated from \`libs/event-catalog/src/event-types.ts\` by \`npm run docs:events\`; do not edit by hand. \`GET /v1/events/schemas\` serves the same catalog as JSON (JSON Schema draft-07), so an auditor's tool can decode any stream without our code.

Every event has metadata: \`correlationId\` (the request's \`x-correlation-id\`), \`causationId\` (the command), \`partnerId\`, \`actor\` and \`timestamp\`, and \`schemaVersion\` once its type has more than one version.

## Adding or changing an event type

1. Add the type to its \`Message<…>\` union in \`libs/domain\` as usual.
2. In the same change, add an entry to its aggregate's list in \`libs/event-catalog/src/events/\` (\`EVENT_TYPES\` in \`event-types.ts\` gathers them): \`type\`, \`version: 1\`, \`stream\`, \`cause\`, the data's \`schema\` (built with \`record\`, \`listOf\`, … from \`json-schema.ts\`: every property required unless named optional, nothing else allowed) and an \`example\`.
3. Run \`npm run docs:events\` and commit \`docs/events.md\`.

\`libs/event-catalog/src/event-catalog.unit.spec.ts\` fails, naming the type, while a \`Message<'…'>\` of an event union in \`libs/domain\` has no entry; every e2e suite (through \`test/support/api-harness.ts\`) fails when an event it wrote does not match its schema, a new field included.

## Versions and upcasting

An event's version is its metadata's \`schemaVersion\`, or 1 when absent. Adding an optional field keeps the version (old events still validate). A change old events would not satisfy (a field renamed, removed, or made required) makes a new version:

1. move the current schema to \`older: { 1: { schema, upcast } }\`, where \`upcast\` turns version-1 data into version-2 data (e.g. fills the new field with what it meant before);
2. set \`version: 2\` and the new \`schema\`; writers then stamp \`schemaVersion: 2\` (\`EventStreams\` takes it from the catalog);
3. code that reads events calls \`upcast(type, data, storedVersionOf(metadata))\`, so it sees only the current shape. \`EventStreams\` does for every aggregate and \`readFirst\`, so deciders do; \`history\` (the auditor's \`GET /v1/orders/{id}/events\`) shows events as stored. Projections read \`$all\` themselves (\`libs/projections\`) and must call it too; today they read both shapes of \`DiscountApplied\` on their own.

Stored events are never rewritten: each keeps validating against its own version's schema, which the catalog keeps, and \`GET /v1/events/schemas\` serves every version.
`;

/** docs/events.md: the intro, then every type with its stream, cause, fields and example. */
export function eventsMarkdown(): string {
  const sections = EVENT_TYPES.map((entry) =>
    [
      `### ${entry.type} (v${entry.version})`,
      '',
      `- Stream: \`${entry.stream}\``,
      `- Cause: ${entry.cause}`,
      `- Data: ${fields(entry.schema)}`,
      ...(entry.older ? [`- Older versions: ${Object.keys(entry.older).join(', ')}, upcast when read`] : []),
      '',
      '```json',
      JSON.stringify(entry.example, null, 2),
      '```',
    ].join('\n'),
  );
  return `${INTRO}\n## Event types\n\n${sections.join('\n\n')}\n`;
}
