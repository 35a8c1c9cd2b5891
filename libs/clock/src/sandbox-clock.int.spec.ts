import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { EventStreams, InMemoryEventStore } from '@app/eventstore-client';
import { SANDBOX_CLOCK_KEY, SandboxClock } from './sandbox-clock';

/** The sandbox clock on the local Redis (a key prefix of its own) and an in-memory store. */
describe('the sandbox clock', () => {
  let redis: Redis;
  beforeEach(() => (redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `test:${randomUUID()}:` })));
  afterEach(async () => {
    await redis.del(SANDBOX_CLOCK_KEY);
    await redis.quit();
  });

  it('starts where it is told, and records it, so that a Redis that lost it reads it back', async () => {
    const streams = new EventStreams(new InMemoryEventStore());
    const clock = new SandboxClock(redis, streams, '2027-03-10T10:00:00Z');
    expect(await clock.now()).toBe('2027-03-10T10:00:00.000Z');
    await redis.del(SANDBOX_CLOCK_KEY);
    // Another process, configured with another start: the recorded one stands.
    expect(await new SandboxClock(redis, streams, '2030-01-01T00:00:00Z').now()).toBe('2027-03-10T10:00:00.000Z');
  });

  it('started from the wall clock, stands still there across a restart', async () => {
    const streams = new EventStreams(new InMemoryEventStore());
    const first = await new SandboxClock(redis, streams).now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await redis.del(SANDBOX_CLOCK_KEY);
    expect(await new SandboxClock(redis, streams).now()).toBe(first);
  });

  it('at start, drops what Redis holds when this store does not back it: from another store, or ahead of its last move', async () => {
    const streams = new EventStreams(new InMemoryEventStore());
    await redis.set(SANDBOX_CLOCK_KEY, '2031-01-01T00:00:00.000Z');
    const fresh = new SandboxClock(redis, streams, '2027-03-10T10:00:00Z');
    await fresh.reconcile();
    expect(await fresh.now()).toBe('2027-03-10T10:00:00.000Z');
    // Mid-move, Redis is behind the last move: kept, the move finishes from there.
    await fresh.standAt('2027-03-09T00:05:00.000Z');
    await fresh.reconcile();
    expect(await fresh.now()).toBe('2027-03-09T00:05:00.000Z');
  });
});
