import { configure } from 'safe-stable-stringify';

const stringify = configure({ deterministic: true, bigint: false });

/**
 * The canonical JSON of a value parsed from JSON: every object's keys sorted
 * by UTF-16 code units, no whitespace, numbers and strings as JSON.stringify
 * writes them. For JSON values that is RFC 8785 (JCS), so an auditor's own
 * tool in any language computes the same bytes with a JCS library. The same
 * library and settings as the api's request fingerprints
 * (apps/api/src/http/canonical-json.ts), which a lib may not import.
 */
export const canonicalJson = (value: unknown): string => {
  const text = stringify(value);
  if (text === undefined) throw new Error('canonicalJson: the value has no JSON form');
  return text;
};
