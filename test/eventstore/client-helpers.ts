import { ResolvedEvent } from '@eventstore/db-client';

/** Drains a finite read into an array; rejects with the read's error. */
export async function collect(read: AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
  const events: ResolvedEvent[] = [];
  for await (const event of read) events.push(event);
  return events;
}

/** Takes the next `count` events of a subscription. */
export async function nextEvents(subscription: AsyncIterable<ResolvedEvent>, count: number): Promise<ResolvedEvent[]> {
  const events: ResolvedEvent[] = [];
  for await (const event of subscription) {
    events.push(event);
    if (events.length === count) break;
  }
  return events;
}
