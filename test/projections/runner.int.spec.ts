/**
 * The projection runner against the embedded store and the local Redis:
 * resuming after the store restarts, stopping alone on a poison event, and
 * one writer at a time through the lock and its fencing token.
 */
import { EsdbEventStore } from '@app/eventstore-client';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { EmbeddedEventStore } from '@app/eventstore-server';
import {
  applyBatch,
  cartsProjection,
  customersProjection,
  ProjectionRunner,
  reactorCommit,
  toProjectedEvent,
  verify,
  viewKeys,
  ViewReader,
} from '@app/projections';
import { scanKeys } from '@app/redis';
import { eventually } from '../support/eventually';

class CollectingLogger {
  readonly lines: string[] = [];
  log = (message: string) => void this.lines.push(`log ${message}`);
  warn = (message: string) => void this.lines.push(`warn ${message}`);
  error = (message: string) => void this.lines.push(`error ${message}`);
}

const registered = (customerId = randomUUID()) =>
  jsonEvent({ type: 'CustomerRegistered', data: { customerId, partnerId: 'p-1', name: 'Runner Co', registeredAt: new Date().toISOString() } });

// Catching up on thousands of events with a deliberately slow commit takes a while on two busy cores.
jest.setTimeout(150_000);

describe('projection runner', () => {
  let dataDir: string;
  let store: EmbeddedEventStore;
  let client: EventStoreDBClient;
  let redis: Redis;
  let views: ViewReader;
  const runners: ProjectionRunner[] = [];
  const connections: Redis[] = [];

  const runner = (projection = customersProjection, logger = new CollectingLogger()) => {
    const connection = redis.duplicate();
    connections.push(connection);
    const created = new ProjectionRunner(new EsdbEventStore(client), connection, projection, logger);
    runners.push(created);
    created.start();
    return { runner: created, logger };
  };
  const customerDocument = (customerId: string) => views.document(customersProjection.name, `customer:${customerId}`);

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'runner-'));
    store = await EmbeddedEventStore.start({ dataDir });
    client = EventStoreDBClient.connectionString(store.connectionString);
    redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `test:${randomUUID()}:` });
    views = new ViewReader(redis);
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    for (const key of await scanKeys(redis, '*')) await redis.unlink(key);
    await Promise.all(connections.splice(0).map((c) => c.quit()));
    await redis.quit();
    await client.dispose();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes from its checkpoint after the event store restarts, and says so', async () => {
    const { logger } = runner();
    const first = randomUUID();
    await client.appendToStream(`customer-${first}`, registered(first));
    await eventually(async () => (await customerDocument(first)) !== undefined);

    const port = store.port;
    await store.stop();
    store = await EmbeddedEventStore.start({ dataDir, port });
    const second = randomUUID();
    await eventually(async () => {
      try {
        await client.appendToStream(`customer-${second}`, registered(second));
        return true;
      } catch {
        return false; // the client reconnects on a later call
      }
    });
    await eventually(async () => (await customerDocument(second)) !== undefined);
    expect(logger.lines.some((line) => /warn projection customers: subscription dropped .* resubscribing from checkpoint \d+/.test(line))).toBe(true);
    expect((await verify(new EsdbEventStore(client), redis, [customersProjection])).differences).toEqual([]);
  });

  it('misses no event when a slow commit pauses the subscription while server checkpoints keep coming', async () => {
    const committed = new Set<string>();
    // A commit slow enough that the buffer fills and the subscription pauses.
    const slowCommit: typeof applyBatch = async (connection, target, events, advanceTo) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      for (const event of events) if (target.checkpoint === undefined || event.position > target.checkpoint) committed.add(event.id);
      return applyBatch(connection, target, events, advanceTo);
    };
    const connection = redis.duplicate();
    connections.push(connection);
    const slow = new ProjectionRunner(new EsdbEventStore(client), connection, customersProjection, new CollectingLogger(), slowCommit);
    runners.push(slow);
    const wanted: string[] = [];
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < 6_000; i++) {
      const customerId = randomUUID();
      const event = registered(customerId);
      wanted.push(event.id);
      // Interleave events the projection does not take, so the server sends checkpoints between them.
      pending.push(client.appendToStream(`customer-${customerId}`, [event]), client.appendToStream(`noise-${i}`, jsonEvent({ type: 'Noise', data: {} })));
      if (pending.length >= 400) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    slow.start();
    await eventually(() => committed.size >= wanted.length, 120_000);
    expect(wanted.filter((id) => !committed.has(id))).toEqual([]);
  });

  it('stops only the projection that cannot apply an event, naming the event', async () => {
    const carts = runner(cartsProjection);
    const customers = runner(customersProjection);
    const cartId = randomUUID();
    // A line added to a cart that was never created: the cart projection cannot fold it.
    const { nextExpectedRevision } = await client.appendToStream(
      `cart-${cartId}`,
      jsonEvent({ type: 'CartItemAdded', data: { cartId, lineId: 'l-1', quantity: 1 } }),
    );
    expect(nextExpectedRevision).toBe(0n);
    const customerId = randomUUID();
    await client.appendToStream(`customer-${customerId}`, registered(customerId));

    await eventually(() => carts.runner.status().state === 'failed');
    const error = carts.runner.status().error!;
    expect(error).toMatch(new RegExp(`projection carts cannot apply event CartItemAdded [0-9a-f-]{36} \\(stream cart-${cartId} revision 0, position \\d+\\)`));
    expect(carts.logger.lines).toContain(`error ${error}`);

    await eventually(async () => (await customerDocument(customerId)) !== undefined);
    expect(customers.runner.status().state).toBe('live');
  });

  it('follows the generation a replay makes live after it stopped on an event', async () => {
    const carts = runner(cartsProjection);
    const poisoned = randomUUID();
    const { position } = await client.appendToStream(
      `cart-${poisoned}`,
      jsonEvent({ type: 'CartItemAdded', data: { cartId: poisoned, lineId: 'l-1', quantity: 1 } }),
    );
    await eventually(() => carts.runner.status().state === 'failed');

    // What a replay with a projection that can fold it leaves: a generation past the event, made live.
    const keys = viewKeys(cartsProjection.name);
    await redis.set(keys.checkpoint('r-replayed'), position!.commit.toString());
    await redis.set(keys.live, 'r-replayed');
    const cartId = randomUUID();
    await client.appendToStream(
      `cart-${cartId}`,
      jsonEvent({
        type: 'CartCreated',
        data: {
          cartId,
          customerId: randomUUID(),
          partnerId: 'p-1',
          createdAt: new Date().toISOString(),
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      }),
    );
    await eventually(async () => (await views.document(cartsProjection.name, `cart:${cartId}`)) !== undefined);
    expect(carts.runner.status()).toMatchObject({ state: 'live', generation: 'r-replayed', error: undefined });
    expect(carts.logger.lines).toContain('log projection carts: generation r-replayed went live; following it');
  });

  it('shows a reactor that keeps failing on an event as such, naming the event, and clears it once the event goes through', async () => {
    let healed = false;
    const reacted: string[] = [];
    const reactor = reactorCommit(async (event) => {
      if (!healed) throw new Error('the order service refuses it');
      reacted.push(event.id);
    });
    const connection = redis.duplicate();
    connections.push(connection);
    const follower = { name: 'stuck-reactor', eventTypes: ['Stuck'], reads: () => [], apply: () => [] };
    const stuck = new ProjectionRunner(new EsdbEventStore(client), connection, follower, new CollectingLogger(), reactor);
    runners.push(stuck);
    stuck.start();
    const { position } = await client.appendToStream(`stuck-${randomUUID()}`, jsonEvent({ type: 'Stuck', data: {} }));

    const error = await eventually(() => stuck.status().error, 30_000);
    expect(error).toMatch(
      /commit failed \(the order service refuses it\); retrying; failed \d+ times in a row on the batch from Stuck [0-9a-f-]{36} \(stream stuck-/,
    );
    expect(error).toContain(`position ${position!.commit}`);
    expect(reacted).toEqual([]);

    healed = true;
    await eventually(() => reacted.length === 1 && stuck.status().error === undefined, 30_000);
    expect(stuck.status().state).toBe('live');
  });

  it('lets one replica write at a time; the other stands by and takes over when it stops', async () => {
    const a = runner();
    const b = runner();
    const first = randomUUID();
    await client.appendToStream(`customer-${first}`, registered(first));
    await eventually(async () => (await customerDocument(first)) !== undefined);
    const states = () => [a.runner.status().state, b.runner.status().state].sort();
    expect(states()).toEqual(['live', 'standby']);

    const [active, waiting] = a.runner.status().state === 'live' ? [a.runner, b.runner] : [b.runner, a.runner];
    await active.stop();
    const second = randomUUID();
    await client.appendToStream(`customer-${second}`, registered(second));
    await eventually(async () => (await customerDocument(second)) !== undefined);
    expect(waiting.status().state).toBe('live');
  });

  it('fences out a writer whose lock was taken: its commits no longer land', async () => {
    const { runner: writer, logger } = runner();
    const first = randomUUID();
    await client.appendToStream(`customer-${first}`, registered(first));
    await eventually(async () => (await customerDocument(first)) !== undefined);

    // Another instance takes the projection (as after this one paused past its lease).
    const keys = viewKeys(customersProjection.name);
    await redis.set(keys.lock, 'someone-else', 'PX', 60_000);
    const stolenToken = String(await redis.incr(keys.fence));
    const second = randomUUID();
    await client.appendToStream(`customer-${second}`, registered(second));
    await eventually(() => logger.lines.some((line) => line.includes('another instance took over the projection')));
    expect(await customerDocument(second)).toBeUndefined();
    expect(writer.status().state).toBe('standby');

    // The other instance goes away; the lease expires and this one takes over with a new token.
    await redis.del(keys.lock);
    await eventually(async () => (await customerDocument(second)) !== undefined);
    expect(Number(await redis.get(keys.fence))).toBeGreaterThan(Number(stolenToken));
  });

  it('runs one start-up loop when a fence-out and a lost lease both ask for one, so it does not report standby while it writes', async () => {
    const { runner: writer } = runner();
    const first = randomUUID();
    await client.appendToStream(`customer-${first}`, registered(first));
    await eventually(async () => (await customerDocument(first)) !== undefined);

    // What the commit's fence-out and a renewal tick that found the lease gone do, at the same moment.
    const internals = writer as unknown as { restart(): Promise<void>; onLockLost(): void };
    const restarting = internals.restart();
    internals.onLockLost();
    await restarting;
    await eventually(() => writer.status().state === 'live');
    const states = new Set<string>();
    for (let i = 0; i < 30; i++) {
      states.add(writer.status().state);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect([...states]).toEqual(['live']);
  });

  it('does not commit over a connection that reconnected after its fence was taken: the check and the writes are one script', async () => {
    const keys = viewKeys(customersProjection.name);
    await redis.set(keys.live, '1');
    const token = String(await redis.incr(keys.fence));
    const customerId = randomUUID();
    const { position } = await client.appendToStream(`customer-${customerId}`, registered(customerId));
    const [stored] = await new EsdbEventStore(client).readAll({ maxCount: 10 });

    // Just after the commit has read the fence, another instance takes it, and this connection is reset and comes back
    // (a WATCH would be gone with it, and the client would send the rest on the new connection).
    const connection = redis.duplicate();
    connections.push(connection);
    let armed = true;
    const mget = connection.mget.bind(connection) as (...keys: string[]) => Promise<Array<string | null>>;
    connection.mget = (async (...args: string[]) => {
      const values = await mget(...args);
      if (armed) {
        armed = false;
        await redis.incr(keys.fence);
        connection.disconnect(true);
        await new Promise((resolve) => connection.once('ready', resolve));
      }
      return values;
    }) as typeof connection.mget;

    const commit = applyBatch(connection, { projection: customersProjection, generation: '1', checkpoint: undefined, fence: { token, liveGeneration: '1' } }, [
      { ...toProjectedEvent(stored), position: position!.commit },
    ]);
    await expect(commit).rejects.toThrow(/another instance took over the projection/);
    expect(armed).toBe(false);
    expect(await customerDocument(customerId)).toBeUndefined();
    expect(await redis.get(keys.checkpoint('1'))).toBeNull();
  });

  it('follows again when it loses its lease while it is starting to follow, rather than stop for good', async () => {
    type Internals = { restart(): Promise<void>; onLockLost(): void; lock: { release(): Promise<void> } };
    const runnerOf: { internals?: Internals } = {};
    let armed = false;
    // The lease runs out while the runner reads the head of the store, as during a Redis stall longer than the lease.
    class StallingStore extends EsdbEventStore {
      override async headPosition(): Promise<bigint> {
        const head = await super.headPosition();
        const internals = runnerOf.internals;
        if (armed && internals) {
          armed = false;
          await internals.lock.release();
          internals.onLockLost();
          // The runner asks for a new start while this one is still under way.
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return head;
      }
    }
    const connection = redis.duplicate();
    connections.push(connection);
    const writer = new ProjectionRunner(new StallingStore(client), connection, customersProjection, new CollectingLogger());
    runners.push(writer);
    runnerOf.internals = writer as unknown as Internals;
    writer.start();
    const first = randomUUID();
    await client.appendToStream(`customer-${first}`, registered(first));
    await eventually(async () => (await customerDocument(first)) !== undefined);

    armed = true;
    await runnerOf.internals.restart();
    const second = randomUUID();
    await client.appendToStream(`customer-${second}`, registered(second));
    await eventually(async () => (await customerDocument(second)) !== undefined, 15_000);
    expect(armed).toBe(false);
    expect(writer.status().state).toBe('live');
  });
});
