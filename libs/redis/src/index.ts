export { RedisModule, dedicatedConnection } from './redis.module';
export { scanKeys, escapeGlob } from './scan-keys';
