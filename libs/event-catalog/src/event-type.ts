import { JsonSchema } from './json-schema';

/** One event type as auditors read it: where it is written, why, its data's schema now and in every earlier version. */
export interface EventType {
  type: string;
  /** The version writers write now; stored events without metadata.schemaVersion are version 1. */
  version: number;
  /** The stream it is appended to, with the id in braces. */
  stream: string;
  /** What makes the system write it. */
  cause: string;
  /** The schema of `data` at `version`. */
  schema: JsonSchema;
  /** Earlier versions: each one's schema, and how its data becomes the next version's. */
  older?: Record<number, { schema: JsonSchema; upcast: (data: Record<string, unknown>) => Record<string, unknown> }>;
  /** Data as the seed's flow writes it. */
  example: Record<string, unknown>;
}
