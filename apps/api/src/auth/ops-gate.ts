import { Inject, Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { OpsCredentials } from './ops-credentials';

/** Failed operator logins one client address may make per window, before every attempt from it is refused. */
export const OPS_FAILURES_ALLOWED = 10;
export const OPS_FAILURE_WINDOW_MS = 15 * 60_000;

export type OpsVerdict = { admitted: true } | { admitted: false; status: 401 | 429; headers: Record<string, string>; body: Record<string, unknown> };

/**
 * The door to /ops (queue dashboard, projection status): operator basic
 * auth, with failures counted per client address in Redis (so across api
 * replicas). Past the limit, the address is refused even with the right
 * password until its window ends; otherwise guessing would still reveal the
 * right one.
 */
@Injectable()
export class OpsGate {
  constructor(
    private readonly credentials: OpsCredentials,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  async check(request: FastifyRequest): Promise<OpsVerdict> {
    const key = `ops-auth-failures:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;
    const failures = Number((await this.redis.get(key)) ?? 0);
    if (failures >= OPS_FAILURES_ALLOWED) {
      const retryAfter = Math.max(1, Math.ceil((await this.redis.pttl(key)) / 1000));
      return {
        admitted: false,
        status: 429,
        headers: { 'Retry-After': String(retryAfter) },
        body: {
          statusCode: 429,
          error: 'Too Many Requests',
          code: 'OPS_AUTH_RATE_LIMITED',
          message: `too many failed operator logins from this address; retry after ${retryAfter} s`,
        },
      };
    }
    if (this.credentials.accepts(request.headers.authorization)) return { admitted: true };
    await this.redis.multi().set(key, 0, 'PX', OPS_FAILURE_WINDOW_MS, 'NX').incr(key).exec();
    return {
      admitted: false,
      status: 401,
      headers: { 'WWW-Authenticate': 'Basic realm="ops"' },
      body: { statusCode: 401, error: 'Unauthorized', code: 'OPS_CREDENTIALS_REQUIRED', message: 'operator credentials are required' },
    };
  }
}
