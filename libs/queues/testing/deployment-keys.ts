import { Redis } from 'ioredis';
import { escapeGlob, scanKeys } from '@app/redis';
import { queuePrefix } from '../src/queues.module';

/**
 * Deletes every key of one deployment prefix: its own and its queues', which
 * BullMQ keeps under `{prefix bull}`. Tests and benches each run under a
 * prefix of their own and clean up with this. `redis` has no keyPrefix.
 */
export async function deleteDeploymentKeys(redis: Redis, keyPrefix: string): Promise<void> {
  for (const pattern of [`${escapeGlob(keyPrefix)}*`, `${escapeGlob(queuePrefix(keyPrefix))}*`]) {
    for (const key of await scanKeys(redis, pattern)) await redis.unlink(key);
  }
}
