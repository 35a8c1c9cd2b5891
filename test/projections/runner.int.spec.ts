/**
 * The subscription runner against the embedded store and the local Redis:
 * resuming after the store restarts, a handler stopping alone on a poison
 * event, several handlers on one subscription, and one writer at a time
 * through each handler's lock and its fencing token.
 */
import { EsdbEventStore, SubscribeToAllOptions } from '@app/eventstore-client';
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
  FencedOutError,
  HandlerSlot,
  Projection,
  projector,
  reactorHandler,
  RunnerOptions,
  SubscriptionHandler,
  SubscriptionRunner,
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
  jsonEvent({
    type: 'CustomerRegistered',
    data: { customerId, partnerId: 'p-1', name: 'Runner Co', registeredAt: new Date().toISOString() },
  });

// Catching up on thousands of events with a deliberately slow commit takes a while on two busy cores.
jest.setTimeout(150_000);

/** What the tests reach inside a runner for: the moments a fence-out, a lost lease and a start-up meet. */
type Internals = {
  slotNamed(name: string): HandlerSlot;
  onFencedOut(slot: HandlerSlot, epoch: number, error: FencedOutError): Promise<void>;
  onLeaseLost(slot: HandlerSlot): Promise<void>;
};
const internalsOf = (runner: SubscriptionRunner) => runner as unknown as Internals;

/** The embedded store, counting the $all subscriptions taken. */
class CountingStore extends EsdbEventStore {
  subscriptions = 0;
  override subscribeToAll(options: SubscribeToAllOptions) {
    this.subscriptions++;
    return super.subscribeToAll(options);
  }
}

describe('subscription runner', () => {
  let dataDir: string;
  let store: EmbeddedEventStore;
  let client: EventStoreDBClient;
  let redis: Redis;
  let views: ViewReader;
  const runners: SubscriptionRunner[] = [];
  const connections: Redis[] = [];

  const runnerOf = (
    handlers: SubscriptionHandler[],
    logger = new CollectingLogger(),
    store = new EsdbEventStore(client),
    options: RunnerOptions = {},
  ) => {
    const connection = redis.duplicate();
    connections.push(connection);
    const created = new SubscriptionRunner(store, connection, handlers, logger, options);
    runners.push(created);
    return { runner: created, logger };
  };
  /** A runner of one view, started. */
  const runner = (projection: Projection = customersProjection, logger = new CollectingLogger()) => {
    const started = runnerOf([projector(projection)], logger);
    started.runner.start();
    const status = () => started.runner.statusOf(projection.name);
    return { ...started, status };
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
    expect(
      logger.lines.some((line) =>
        /warn projection customers: subscription dropped .* resubscribing from checkpoint \d+/.test(line),
      ),
    ).toBe(true);
    expect((await verify(new EsdbEventStore(client), redis, [customersProjection])).differences).toEqual([]);
  });

  it('misses no event when a slow commit pauses the subscription while server checkpoints keep coming', async () => {
    const committed = new Set<string>();
    // A commit slow enough that the buffer fills and the subscription pauses.
    const customers = projector(customersProjection);
    const slowCommit: SubscriptionHandler['commit'] = async (connection, target, events, advanceTo) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      for (const event of events)
        if (target.checkpoint === undefined || event.position > target.checkpoint) committed.add(event.id);
      return customers.commit(connection, target, events, advanceTo);
    };
    const { runner: slow } = runnerOf([{ ...customers, commit: slowCommit }]);
    const wanted: string[] = [];
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < 6_000; i++) {
      const customerId = randomUUID();
      const event = registered(customerId);
      wanted.push(event.id);
      // Interleave events the projection does not take, so the server sends checkpoints between them.
      pending.push(
        client.appendToStream(`customer-${customerId}`, [event]),
        client.appendToStream(`noise-${i}`, jsonEvent({ type: 'Noise', data: {} })),
      );
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

    await eventually(() => carts.status().state === 'failed');
    const error = carts.status().error!;
    expect(error).toMatch(
      new RegExp(
        `projection carts cannot apply event CartItemAdded [0-9a-f-]{36} \\(stream cart-${cartId} revision 0, position \\d+\\)`,
      ),
    );
    expect(carts.logger.lines).toContain(`error ${error}`);

    await eventually(async () => (await customerDocument(customerId)) !== undefined);
    expect(customers.status().state).toBe('live');
  });

  it('serves views and a reactor on one $all subscription, each from its own checkpoint; one that cannot apply an event stops alone', async () => {
    // The customers view is ahead: it applied the first customer before the runner of all three started.
    const first = randomUUID();
    await client.appendToStream(`customer-${first}`, registered(first));
    const alone = runner(customersProjection);
    await eventually(async () => (await customerDocument(first)) !== undefined);
    await alone.runner.stop();
    const customersCheckpoint = await views.checkpoint(customersProjection.name);

    const greeted: string[] = [];
    const greeter = reactorHandler({
      name: 'greeter',
      eventTypes: ['CustomerRegistered'],
      react: async (event) => void greeted.push(event.data.customerId),
    });
    const store = new CountingStore(client);
    const { runner: shared, logger } = runnerOf(
      [projector(cartsProjection), projector(customersProjection), greeter],
      new CollectingLogger(),
      store,
    );
    shared.start();
    // The reactor starts from the beginning, the view from its own checkpoint.
    await eventually(() => greeted.includes(first));
    expect(await views.checkpoint(customersProjection.name)).toBe(customersCheckpoint);

    const cartId = randomUUID();
    await client.appendToStream(
      `cart-${cartId}`,
      jsonEvent({ type: 'CartItemAdded', data: { cartId, lineId: 'l-1', quantity: 1 } }),
    );
    const second = randomUUID();
    await client.appendToStream(`customer-${second}`, registered(second));

    await eventually(() => shared.statusOf(cartsProjection.name).state === 'failed');
    const error = shared.statusOf(cartsProjection.name).error!;
    expect(error).toMatch(
      new RegExp(
        `projection carts cannot apply event CartItemAdded [0-9a-f-]{36} \\(stream cart-${cartId} revision 0, position \\d+\\)`,
      ),
    );
    expect(logger.lines).toContain(`error ${error}`);
    await eventually(async () => (await customerDocument(second)) !== undefined && greeted.includes(second));
    expect(greeted.filter((id) => id === second)).toEqual([second]);
    expect(shared.statusOf(customersProjection.name).state).toBe('live');
    expect(shared.statusOf('greeter')).toMatchObject({ kind: 'reactor', state: 'live', owner: shared.owner });
    expect(store.subscriptions).toBe(1);
  });

  it('skips nothing for a handler that joins while the subscription runs: it takes neither events nor checkpoints from a subscription that began without it', async () => {
    // The customers view and a reactor are held by another replica; the carts view runs alone, on a subscription of its types.
    const keys = viewKeys(customersProjection.name);
    await redis.set(keys.lock, 'someone-else', 'PX', 60_000);
    await redis.set(viewKeys('latecomer').lock, 'someone-else', 'PX', 60_000);
    let stalling = false;
    // Starting a handler reads the head of the store: slowed, so that the runner is still starting the reactor, after the view,
    // while the old subscription reports checkpoints.
    class SlowHeadStore extends EsdbEventStore {
      override async headPosition(): Promise<bigint> {
        if (stalling) await new Promise((resolve) => setTimeout(resolve, 300));
        return super.headPosition();
      }
    }
    const latecomer = reactorHandler({ name: 'latecomer', eventTypes: ['Latecomer'], react: async () => undefined });
    const { runner: shared } = runnerOf(
      [projector(customersProjection), latecomer, projector(cartsProjection)],
      new CollectingLogger(),
      new SlowHeadStore(client),
    );
    shared.start();
    await eventually(() => shared.statusOf(cartsProjection.name).state === 'live');
    const missed = randomUUID();
    await client.appendToStream(`customer-${missed}`, registered(missed));

    // Both leases come free; while the two start, events the carts view does not take keep the old subscription's checkpoints coming.
    stalling = true;
    await redis.del(keys.lock, viewKeys('latecomer').lock);
    let appending = true;
    const noise = (async () => {
      for (let i = 0; appending; i++) {
        await client.appendToStream(`noise-${randomUUID()}`, jsonEvent({ type: 'Noise', data: { i } }));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await eventually(() => shared.statusOf('latecomer').state === 'live', 15_000);
    appending = false;
    await noise;
    stalling = false;

    await eventually(async () => (await customerDocument(missed)) !== undefined, 15_000);
  });

  it('hands every handler of a replica that died over to the one standing by, skipping no event written meanwhile', async () => {
    const reacted = new Set<string>();
    const handlers = () => [
      projector(customersProjection),
      projector(cartsProjection),
      reactorHandler({
        name: 'registrations',
        eventTypes: ['CustomerRegistered'],
        react: async (event) => void reacted.add(event.data.customerId),
      }),
    ];
    // The first replica's connection is its own, so that it can die alone: its lease renewals and commits then fail.
    const dying = redis.duplicate();
    const first = new SubscriptionRunner(new EsdbEventStore(client), dying, handlers(), new CollectingLogger());
    runners.push(first);
    first.start();
    await eventually(() => first.status().every((status) => status.state === 'live'));
    // The other replica already follows a handler of its own, on a subscription of its types, when it takes the others over.
    const bystander = reactorHandler({ name: 'bystander', eventTypes: ['Noise'], react: async () => undefined });
    const { runner: second } = runnerOf([...handlers(), bystander]);
    second.start();
    await eventually(() =>
      second.status().every((status) => status.state === (status.name === 'bystander' ? 'live' : 'standby')),
    );

    const customerIds: string[] = [];
    const register = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const customerId = randomUUID();
        customerIds.push(customerId);
        await client.appendToStream(`customer-${customerId}`, registered(customerId));
      }
    };
    await register(20);
    dying.disconnect();
    // Written while the lease of the dead replica runs out and the other takes over.
    for (let i = 0; i < 12; i++) {
      await register(5);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    await eventually(() => second.status().every((status) => status.state === 'live'), 30_000);
    await register(5);

    await eventually(
      async () => (await Promise.all(customerIds.map(customerDocument))).every((document) => document !== undefined),
      30_000,
    );
    await eventually(() => customerIds.every((id) => reacted.has(id)), 30_000);
  });

  it('lets a reactor whose commits keep failing step aside once its queue fills: the view on its runner goes on, and it catches up once healed', async () => {
    let healed = false;
    const reacted = new Set<string>();
    const flaky = reactorHandler({
      name: 'flaky',
      eventTypes: ['CustomerRegistered'],
      react: async (event) => {
        if (!healed) throw new Error('the order service is away');
        reacted.add(event.data.customerId);
      },
    });
    const { runner: shared, logger } = runnerOf(
      [projector(customersProjection), flaky],
      new CollectingLogger(),
      new EsdbEventStore(client),
      { maxBuffer: 20 },
    );
    shared.start();
    const customerIds = Array.from({ length: 60 }, () => randomUUID());
    for (const customerId of customerIds) await client.appendToStream(`customer-${customerId}`, registered(customerId));

    await eventually(
      async () => (await Promise.all(customerIds.map(customerDocument))).every((document) => document !== undefined),
      30_000,
    );
    expect(reacted.size).toBe(0);
    expect(
      logger.lines.some((line) => line.startsWith('warn reactor flaky: 20 events wait while its commits fail')),
    ).toBe(true);

    healed = true;
    await eventually(() => customerIds.every((id) => reacted.has(id)), 30_000);
    await eventually(
      () => shared.statusOf('flaky').state === 'live' && shared.statusOf('flaky').error === undefined,
      30_000,
    );
  });

  it('follows the generation a replay makes live after it stopped on an event', async () => {
    const carts = runner(cartsProjection);
    const poisoned = randomUUID();
    const { position } = await client.appendToStream(
      `cart-${poisoned}`,
      jsonEvent({ type: 'CartItemAdded', data: { cartId: poisoned, lineId: 'l-1', quantity: 1 } }),
    );
    await eventually(() => carts.status().state === 'failed');

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
    expect(carts.status()).toMatchObject({ state: 'live', generation: 'r-replayed', error: undefined });
    expect(carts.logger.lines).toContain('log projection carts: generation r-replayed went live; following it');
  });

  it('shows a reactor that keeps failing on an event as such, naming the event, and clears it once the event goes through', async () => {
    let healed = false;
    const reacted: string[] = [];
    const reactor = reactorHandler({
      name: 'stuck-reactor',
      eventTypes: ['Stuck'],
      react: async (event) => {
        if (!healed) throw new Error('the order service refuses it');
        reacted.push(event.id);
      },
    });
    const { runner: stuckRunner } = runnerOf([reactor]);
    stuckRunner.start();
    const stuck = { status: () => stuckRunner.statusOf('stuck-reactor') };
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
    const states = () => [a.status().state, b.status().state].sort();
    expect(states()).toEqual(['live', 'standby']);

    const [active, waiting] = a.status().state === 'live' ? [a, b] : [b, a];
    await active.runner.stop();
    const second = randomUUID();
    await client.appendToStream(`customer-${second}`, registered(second));
    await eventually(async () => (await customerDocument(second)) !== undefined);
    expect(waiting.status().state).toBe('live');
  });

  it('fences out a writer whose lock was taken: its commits no longer land', async () => {
    const { status, logger } = runner();
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
    expect(status().state).toBe('standby');

    // The other instance goes away; the lease expires and this one takes over with a new token.
    await redis.del(keys.lock);
    await eventually(async () => (await customerDocument(second)) !== undefined);
    expect(Number(await redis.get(keys.fence))).toBeGreaterThan(Number(stolenToken));
  });

  it('runs one start-up loop when a fence-out and a lost lease both ask for one, so it does not report standby while it writes', async () => {
    const { runner: writer, status } = runner();
    const first = randomUUID();
    await client.appendToStream(`customer-${first}`, registered(first));
    await eventually(async () => (await customerDocument(first)) !== undefined);

    // What the commit's fence-out and a renewal tick that found the lease gone do, at the same moment.
    const internals = internalsOf(writer);
    const slot = internals.slotNamed(customersProjection.name);
    const fencedOut = internals.onFencedOut(
      slot,
      slot.epoch,
      new FencedOutError(customersProjection.name, 'another instance took over the projection'),
    );
    const lost = internals.onLeaseLost(slot);
    await Promise.all([fencedOut, lost]);
    await eventually(() => status().state === 'live');
    const states = new Set<string>();
    for (let i = 0; i < 30; i++) {
      states.add(status().state);
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

    const commit = applyBatch(
      connection,
      {
        projection: customersProjection,
        generation: '1',
        checkpoint: undefined,
        fence: { token, liveGeneration: '1' },
      },
      [{ ...toProjectedEvent(stored), position: position!.commit }],
    );
    await expect(commit).rejects.toThrow(/another instance took over the projection/);
    expect(armed).toBe(false);
    expect(await customerDocument(customerId)).toBeUndefined();
    expect(await redis.get(keys.checkpoint('1'))).toBeNull();
  });

  it('follows again when it loses its lease while it is starting to follow, rather than stop for good', async () => {
    const held: { internals?: Internals } = {};
    let armed = false;
    // The lease runs out while the runner reads the head of the store, as during a Redis stall longer than the lease.
    class StallingStore extends EsdbEventStore {
      override async headPosition(): Promise<bigint> {
        const head = await super.headPosition();
        const internals = held.internals;
        if (armed && internals) {
          armed = false;
          const slot = internals.slotNamed(customersProjection.name);
          await slot.lease.release();
          void internals.onLeaseLost(slot);
          // The runner asks for a new start while this one is still under way.
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return head;
      }
    }
    const { runner: writer } = runnerOf(
      [projector(customersProjection)],
      new CollectingLogger(),
      new StallingStore(client),
    );
    held.internals = internalsOf(writer);
    writer.start();
    const first = randomUUID();
    await client.appendToStream(`customer-${first}`, registered(first));
    await eventually(async () => (await customerDocument(first)) !== undefined);

    // The lease is lost and taken again: the start-up that follows is the one the stall meets.
    armed = true;
    await held.internals.onLeaseLost(held.internals.slotNamed(customersProjection.name));
    const second = randomUUID();
    await client.appendToStream(`customer-${second}`, registered(second));
    await eventually(async () => (await customerDocument(second)) !== undefined, 15_000);
    expect(armed).toBe(false);
    expect(writer.statusOf(customersProjection.name).state).toBe('live');
  });
});
