/**
 * A subscriber's regex filter runs inside the store, against every stream
 * name or event type in $all. A pattern that backtracks catastrophically
 * would stall the store for every client, so such patterns are refused when
 * the subscription starts. The store runs as its own process here: a stall
 * must fail the test, not freeze it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventStoreDBClient,
  eventTypeFilter,
  jsonEvent,
  ResolvedEvent,
  streamNameFilter,
  UnknownError,
} from '@eventstore/db-client';
import { collect } from '../eventstore/client-helpers';
import { RunningProcess, startStoreProcess } from '../support/processes';

/** The first thing a subscription yields: an event, or the error it ends with; 'no answer' after `ms`. */
function firstOutcome(
  subscription: ReturnType<EventStoreDBClient['subscribeToAll']>,
  ms: number,
): Promise<ResolvedEvent | Error | 'no answer'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('no answer'), ms);
    const settle = (outcome: ResolvedEvent | Error) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    subscription.on('data', settle);
    subscription.on('error', settle);
  });
}

describe('embedded store: regex filters', () => {
  let dataDir: string;
  let store: RunningProcess;
  let client: EventStoreDBClient;
  // A long stream name and event type of the kind the evil patterns below take exponential time on.
  const longName = `${'a'.repeat(40_000)}!`;
  const longType = `${'a'.repeat(40_000)}!`;

  // A store of its own per test: one stalled by a pattern must not fail the next test.
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'abuse-regex-'));
    const started = await startStoreProcess(dataDir);
    store = started.proc;
    client = EventStoreDBClient.connectionString(started.connectionString);
    await client.appendToStream(longName, jsonEvent({ type: longType, data: {} }));
    await client.appendToStream('refund-ledger-c-1', jsonEvent({ type: 'RefundRecorded', data: {} }));
  });
  afterEach(async () => {
    await client.dispose();
    // A store stuck in a regex does not answer SIGTERM.
    await store.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['nested quantifiers on the stream name', streamNameFilter({ regex: '^(a+)+$' }), /nested quantifier/],
    ['nested quantifiers on the event type', eventTypeFilter({ regex: '^(a*)*b$' }), /nested quantifier/],
    [
      'a repeated alternation whose branches overlap',
      streamNameFilter({ regex: '^(a|a)*$' }),
      /alternation inside a repeated group/,
    ],
    ['words of a repeated group', eventTypeFilter({ regex: '^(\\w+\\s?)*$' }), /nested quantifier/],
    ['a back-reference', streamNameFilter({ regex: '^(a*)\\1$' }), /back-reference/],
    [
      'a pattern past the length limit',
      streamNameFilter({ regex: `^(${'x|'.repeat(3_000)}a)$` }),
      /longer than 4096 characters/,
    ],
    ['an invalid pattern', streamNameFilter({ regex: '^(a' }), /Invalid regular expression/],
  ])('refuses %s at once, and keeps serving', async (_case, filter, reason) => {
    const started = Date.now();
    const outcome = await firstOutcome(client.subscribeToAll({ filter }), 5_000);
    expect(outcome).toBeInstanceOf(UnknownError);
    expect((outcome as Error).message).toMatch(reason);
    expect(Date.now() - started).toBeLessThan(2_000);
    // Other clients are still served.
    const read = await collect(client.readStream('refund-ledger-c-1', { deadline: 2_000 }));
    expect(read).toHaveLength(1);
  });

  it('filters with the patterns the application and ordinary clients use', async () => {
    const types = ['RefundRecorded', 'CartCreated'];
    const byType = client.subscribeToAll({ filter: eventTypeFilter({ regex: `^(${types.join('|')})$` }) });
    expect(((await firstOutcome(byType, 5_000)) as ResolvedEvent).event?.type).toBe('RefundRecorded');
    await byType.unsubscribe();
    const byName = client.subscribeToAll({ filter: streamNameFilter({ regex: '^refund-ledger-[\\w-]+$' }) });
    expect(((await firstOutcome(byName, 5_000)) as ResolvedEvent).event?.streamId).toBe('refund-ledger-c-1');
    await byName.unsubscribe();
  });

  it('keeps a subscription that filters by prefix, without a regex', async () => {
    const name = `refund-ledger-${randomUUID()}`;
    await client.appendToStream(name, jsonEvent({ type: 'RefundRecorded', data: {} }));
    const byPrefix = client.subscribeToAll({ filter: streamNameFilter({ prefixes: [name] }) });
    expect(((await firstOutcome(byPrefix, 5_000)) as ResolvedEvent).event?.streamId).toBe(name);
    await byPrefix.unsubscribe();
  });
});
