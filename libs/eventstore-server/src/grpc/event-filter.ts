import { compileFilterRegex } from './filter-regex';
import { streamsPb } from './generated';

/** Server-side $all filter, on event type or stream name, by prefixes or a regex. */
export interface EventFilter {
  /** Decided from the index alone, so skipped events are never read from the log. */
  matches(streamId: string, type: string): boolean;
  /** Scanned events between two checkpoints of a filtered subscription. */
  checkpointWindow: number;
}

const DEFAULT_SEARCH_WINDOW = 32;

/** Throws RefusedFilterRegex for a regex that could stall the store. */
export function parseFilter(options: streamsPb.ReadReq.Options): EventFilter | undefined {
  if (!options.hasFilter()) return undefined;
  const filter = options.getFilter()!;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier()! : filter.getEventType()!;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() ? compileFilterRegex(expression.getRegex()) : undefined;
  const window = filter.hasMax() ? filter.getMax() : DEFAULT_SEARCH_WINDOW;
  return {
    matches: (streamId, type) => {
      const value = onStream ? streamId : type;
      if (prefixes.length > 0 && !prefixes.some((prefix) => value.startsWith(prefix))) return false;
      return regex ? regex.test(value) : true;
    },
    checkpointWindow: Math.max(1, window * Math.max(1, filter.getCheckpointintervalmultiplier())),
  };
}
