export { RedisModule, dedicatedConnection, topologyOf } from './redis.module';
export { connectRedis, isCluster, urlOptions, RedisTopology } from './redis-connection';
export { scanKeys, escapeGlob } from './scan-keys';
