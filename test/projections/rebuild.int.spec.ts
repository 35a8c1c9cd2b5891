/**
 * A full rebuild against the embedded store and the local Redis: it reads
 * $all once, not again from each view's last event for the catch-up.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { EsdbEventStore } from '@app/eventstore-client';
import { EmbeddedEventStore } from '@app/eventstore-server';
import { customersProjection, Projection, rebuildAndSwap, viewKeys, ViewReader } from '@app/projections';
import { scanKeys } from '@app/redis';

describe('full rebuild', () => {
  let dataDir: string;
  let store: EmbeddedEventStore;
  let client: EventStoreDBClient;
  let redis: Redis;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rebuild-'));
    store = await EmbeddedEventStore.start({ dataDir });
    client = EventStoreDBClient.connectionString(store.connectionString);
    redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `test:${randomUUID()}:` });
  });

  afterEach(async () => {
    for (const key of await scanKeys(redis, '*')) await redis.unlink(key);
    await redis.quit();
    await client.dispose();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads $all once when the last event a view takes comes long before its end', async () => {
    const customerIds = Array.from({ length: 30 }, () => randomUUID());
    for (const customerId of customerIds) {
      await client.appendToStream(
        `customer-${customerId}`,
        jsonEvent({
          type: 'CustomerRegistered',
          data: { customerId, partnerId: 'p-1', name: 'Rebuild Co', registeredAt: new Date().toISOString() },
        }),
      );
    }
    // Events no view takes, after the last one the customers view does.
    for (let i = 0; i < 50; i++) await client.appendToStream(`noise-${i}`, jsonEvent({ type: 'Noise', data: { i } }));
    let inAll = 0;
    let last = 0n;
    for await (const resolved of client.readAll()) {
      inAll++;
      last = resolved.commitPosition!;
    }

    const { events, generations } = await rebuildAndSwap(new EsdbEventStore(client), redis, [customersProjection]);

    expect(events).toBe(inAll);
    expect(await redis.get(viewKeys(customersProjection.name).checkpoint(generations[customersProjection.name]))).toBe(
      last.toString(),
    );
    const views = new ViewReader(redis);
    for (const customerId of customerIds)
      expect(await views.document(customersProjection.name, `customer:${customerId}`)).toMatchObject({
        state: { customerId },
      });
  });

  it('deletes the generation it was building when it fails, and leaves the lock free', async () => {
    for (let i = 0; i < 5; i++)
      await client.appendToStream(`thing-${i}`, jsonEvent({ type: i === 3 ? 'Poison' : 'Thing', data: { i } }));
    const things: Projection = {
      name: 'things',
      eventTypes: ['Thing', 'Poison'],
      reads: (event) => [`thing:${event.data.i}`],
      apply: (event) => {
        if (event.type === 'Poison') throw new Error('cannot apply');
        return [{ kind: 'put', key: `thing:${event.data.i}`, document: { i: event.data.i } }];
      },
    };

    await expect(rebuildAndSwap(new EsdbEventStore(client), redis, [things])).rejects.toThrow(
      /cannot apply event Poison/,
    );
    expect(await scanKeys(redis, '*')).toEqual([]);
  });

  it('holds its lock a minute at a time, so that a rebuild killed outright blocks the next one for a minute at most', async () => {
    await client.appendToStream(`customer-${randomUUID()}`, jsonEvent({ type: 'Noise', data: {} }));
    const ttls: number[] = [];
    const lock = viewKeys(customersProjection.name).rebuildLock;
    await rebuildAndSwap(
      new EsdbEventStore(client),
      redis,
      [customersProjection],
      () => void redis.pttl(lock).then((ttl) => ttls.push(ttl)),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ttls.length).toBeGreaterThan(0);
    expect(Math.max(...ttls)).toBeLessThanOrEqual(60_000);
    expect(Math.min(...ttls)).toBeGreaterThan(0);
    expect(await redis.exists(lock)).toBe(0);
  });

  it('makes nothing live when its lock was lost during the rebuild, and deletes what it built', async () => {
    await client.appendToStream(`customer-${randomUUID()}`, jsonEvent({ type: 'Noise', data: {} }));
    const keys = viewKeys(customersProjection.name);
    await redis.set(keys.live, 'before');
    // The lock ran out (a stall longer than its minute) and another rebuild took it.
    const takeOver = () => void redis.set(keys.rebuildLock, 'another-rebuild', 'PX', 60_000);

    await expect(rebuildAndSwap(new EsdbEventStore(client), redis, [customersProjection], takeOver)).rejects.toThrow(
      /lost its lock on customers/,
    );
    expect(await redis.get(keys.live)).toBe('before');
    expect(await scanKeys(redis, `view:{${customersProjection.name}}:r*`)).toEqual([]);
    expect(await redis.get(keys.rebuildLock)).toBe('another-rebuild');
  });
});
