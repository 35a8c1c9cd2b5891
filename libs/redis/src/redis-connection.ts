import { Cluster, Redis, RedisOptions } from 'ioredis';

/** Where Redis is: one server (REDIS_URL), a Redis Cluster (REDIS_CLUSTER_NODES), or a master behind Sentinel. */
export interface RedisTopology {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_NAME?: string;
}

const hostsOf = (list: string) =>
  list.split(',').map((node) => {
    const [host, port] = node.split(':');
    return { host, port: Number(port) };
  });

/** The server's address and credentials from REDIS_URL, as ioredis options. */
export function urlOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    password: parsed.password || undefined,
    username: parsed.username || undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * A connection to Redis however it is deployed. A Cluster client speaks the
 * same commands as a single-server one, provided every command, pipeline and
 * transaction touches keys of one hash slot; the key layout sees to that (a
 * `{…}` hash tag per projection, per customer's usage, per queue). It is typed
 * as `Redis`, the commands the code uses.
 */
export function connectRedis(topology: RedisTopology, options: RedisOptions = {}): Redis {
  const { password, username, tls } = urlOptions(topology.REDIS_URL);
  if (topology.REDIS_CLUSTER_NODES) {
    const { keyPrefix, ...perNode } = options;
    return new Cluster(hostsOf(topology.REDIS_CLUSTER_NODES), {
      keyPrefix,
      redisOptions: { password, username, tls, ...perNode },
      // Multi-key commands and scripts must reach the master of their slot.
      scaleReads: 'master',
    }) as unknown as Redis;
  }
  if (topology.REDIS_SENTINELS) {
    return new Redis({
      sentinels: hostsOf(topology.REDIS_SENTINELS),
      name: topology.REDIS_SENTINEL_NAME,
      password,
      username,
      tls,
      ...options,
    });
  }
  return new Redis(topology.REDIS_URL, options);
}

/** Whether a connection is a Redis Cluster client. */
export const isCluster = (redis: Redis): boolean => (redis as unknown as { isCluster?: boolean }).isCluster === true;
