/**
 * Reads that straddle a replay's swap of the live generation, against the
 * local Redis: the old generation is deleted right after the swap.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { scanKeys } from '@app/redis';
import { ViewReader } from './view-reader';
import { viewKeys } from './view-keys';

describe('view reader during a generation swap', () => {
  let redis: Redis;
  const keys = viewKeys('things');
  const connections: Redis[] = [];

  beforeEach(async () => {
    redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `test:${randomUUID()}:` });
    await redis.set(keys.live, 'g1');
    await redis.set(keys.key('g1', 'thing:1'), JSON.stringify({ n: 1 }));
    await redis.zadd(keys.key('g1', 'by-n'), 1, 'thing:1');
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.quit()));
    for (const key of await scanKeys(redis, '*')) await redis.unlink(key);
    await redis.quit();
  });

  /** A reader whose first look at the pointer is followed at once by a replay: g2 made live, g1 deleted. */
  function readerSwappedAfterPointerRead(): ViewReader {
    const connection = redis.duplicate();
    connections.push(connection);
    const get = connection.get.bind(connection);
    let swapped = false;
    connection.get = async (key: string) => {
      const value = await get(key);
      if (!swapped && key === keys.live) {
        swapped = true;
        await redis.set(keys.key('g2', 'thing:1'), JSON.stringify({ n: 1 }));
        await redis.zadd(keys.key('g2', 'by-n'), 1, 'thing:1');
        await redis.set(keys.live, 'g2');
        await redis.unlink(keys.key('g1', 'thing:1'), keys.key('g1', 'by-n'));
      }
      return value;
    };
    return new ViewReader(connection);
  }

  it('finds a document the swap moved, instead of answering that it does not exist', async () => {
    expect(await readerSwappedAfterPointerRead().document('things', 'thing:1')).toEqual({ n: 1 });
  });

  it('lists an index the swap moved, instead of an empty page', async () => {
    const page = await readerSwappedAfterPointerRead().page('things', 'by-n', { limit: 10 });
    expect(page).toEqual([{ member: 'thing:1', score: 1 }]);
  });
});
