/** A JSON Schema (draft 2020-12 subset): plain data, so the catalog can be served and read without our code. */
export type JsonSchema = { [keyword: string]: unknown };

export const text: JsonSchema = { type: 'string' };
export const id: JsonSchema = { type: 'string', minLength: 1 };
export const instant: JsonSchema = { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' };
export const count = (minimum = 0): JsonSchema => ({ type: 'integer', minimum });
export const amount: JsonSchema = { type: 'number', description: 'USD' };
export const flag: JsonSchema = { type: 'boolean' };
export const oneOf = (...values: string[]): JsonSchema => ({ type: 'string', enum: values });
export const listOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });

/**
 * An object whose properties are all required but those named optional, and
 * nothing else: a field added to an event without its schema fails the
 * catalog's tests, so the schema (and, if old readers would break, the
 * version) changes with it.
 */
export function record(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    additionalProperties: false,
  };
}

/** Two records combined: the properties of both. */
export function extend(base: JsonSchema, properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  const inner = base as { properties: Record<string, JsonSchema>; required: string[] };
  return {
    ...record({ ...inner.properties, ...properties }, optional),
    required: [...inner.required, ...Object.keys(properties).filter((name) => !optional.includes(name))],
  };
}
