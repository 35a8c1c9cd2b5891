import { Cluster, Redis } from 'ioredis';
import { isCluster } from './redis-connection';

/**
 * Keys matching `pattern`, as the connection's other commands name them.
 * ioredis adds its keyPrefix to key arguments but not to SCAN's pattern nor
 * to what SCAN returns, so both are adjusted here.
 */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const prefix = redis.options.keyPrefix ?? '';
  // A cluster's keys are spread over its masters: each is scanned.
  const servers = isCluster(redis) ? (redis as unknown as Cluster).nodes('master') : [redis];
  const found: string[] = [];
  for (const server of servers) {
    let cursor = '0';
    do {
      // A cluster's node connections carry no keyPrefix, so what they return is the full key either way.
      const [next, keys] = await server.scan(cursor, 'MATCH', `${escapeGlob(prefix)}${pattern}`, 'COUNT', '1000');
      for (const key of keys) found.push(key.slice(prefix.length));
      cursor = next;
    } while (cursor !== '0');
  }
  return found;
}

export const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');
