export { RedisModule } from './redis.module';
export { scanKeys, escapeGlob } from './scan-keys';
