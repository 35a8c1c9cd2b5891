/**
 * A reactor handler's commit against the local Redis: the stored checkpoint,
 * when ahead of the runner's, says what was already reacted to.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { scanKeys } from '@app/redis';
import { ProjectedEvent } from '../projection';
import { viewKeys } from '../view-keys';
import { reactorHandler } from './reactor-handler';

const name = 'reacting';
const reacting = (react: (event: ProjectedEvent) => Promise<unknown>) =>
  reactorHandler({ name, eventTypes: ['Happened'], react: async (event) => void (await react(event)) });
const at = (position: number): ProjectedEvent => ({
  id: randomUUID(),
  type: 'Happened',
  data: {},
  metadata: {},
  streamId: `s-${position}`,
  revision: 0,
  position: BigInt(position),
  created: new Date(),
});

describe('reactor handler commit', () => {
  let redis: Redis;
  const checkpointKey = viewKeys(name).checkpoint('g');

  beforeEach(() => {
    redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `test:${randomUUID()}:` });
  });
  afterEach(async () => {
    for (const key of await scanKeys(redis, '*')) await redis.unlink(key);
    await redis.quit();
  });

  it('reacts only to events past the stored checkpoint when it is ahead of the runner’s (a commit whose answer was dropped)', async () => {
    await redis.set(checkpointKey, '200');
    const reacted: bigint[] = [];
    const { commit } = reacting(async (event) => reacted.push(event.position));

    const result = await commit(redis, { name, generation: 'g', checkpoint: 100n }, [at(150), at(200), at(250)]);

    expect(reacted).toEqual([250n]);
    expect(result).toMatchObject({ checkpoint: 250n, applied: 1 });
    expect(await redis.get(checkpointKey)).toBe('250');
  });

  it('never moves the stored checkpoint back', async () => {
    await redis.set(checkpointKey, '300');
    const reacted: bigint[] = [];
    const { commit } = reacting(async (event) => reacted.push(event.position));

    const result = await commit(redis, { name, generation: 'g', checkpoint: 100n }, [at(150), at(250)], 260n);

    expect(reacted).toEqual([]);
    expect(result.checkpoint).toBe(300n);
    expect(await redis.get(checkpointKey)).toBe('300');
  });
});
