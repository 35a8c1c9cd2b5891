import { configure } from 'safe-stable-stringify';

const stringify = configure({ deterministic: true });

/**
 * JSON with every object's keys sorted by UTF-16 code units and no
 * whitespace. For values parsed from JSON, as request bodies are, it is the
 * canonical form of RFC 8785 (JCS): two requests that differ only in key
 * order or spacing read as the same request.
 */
export const canonicalJson = (value: unknown): string => stringify(value) ?? 'null';
