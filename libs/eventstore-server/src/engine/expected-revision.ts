export type ExpectedRevision =
  { kind: 'any' } | { kind: 'no_stream' } | { kind: 'stream_exists' } | { kind: 'exact'; revision: number };

/** The stream's revision as a concurrency check sees it. */
export type CurrentRevision = number | 'no_stream';

export function satisfies(expected: ExpectedRevision, current: CurrentRevision): boolean {
  switch (expected.kind) {
    case 'any':
      return true;
    case 'no_stream':
      return current === 'no_stream';
    case 'stream_exists':
      return current !== 'no_stream';
    case 'exact':
      return current === expected.revision;
  }
}

/** EventStoreDB's legacy numeric encoding, used in error trailers. */
export function expectedVersionNumber(expected: ExpectedRevision): string {
  switch (expected.kind) {
    case 'any':
      return '-2';
    case 'no_stream':
      return '-1';
    case 'stream_exists':
      return '-4';
    case 'exact':
      return String(expected.revision);
  }
}
