import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { OpsCredentials } from './ops-credentials';

/** Failed operator logins one client address may make under one username per window, before every login there is refused. */
export const OPS_FAILURES_ALLOWED = 10;
export const OPS_FAILURE_WINDOW_MS = 15 * 60_000;

export type OpsVerdict =
  | { admitted: true }
  | { admitted: false; status: 401 | 429; headers: Record<string, string>; body: Record<string, unknown> };

// One failure more, atomically: the window starts at the first, and the count and what is left of the window come back together.
const COUNT_FAILURE = `local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return {n, redis.call('PTTL', KEYS[1])}`;

/**
 * The door to /ops (queue dashboard, projection status): operator basic
 * auth. Only a wrong credential is a failure: a request with no
 * Authorization is a challenge (a browser sends one before every login).
 * Failures are counted per client address and username in Redis (so across
 * api replicas), with one atomic increment, so parallel guesses cannot get
 * past the limit. Past it, that address is refused under that username even
 * with the right password until its window ends (otherwise guessing would
 * still reveal the right one); another address is not. The client address
 * is the one TRUST_PROXY makes Fastify believe.
 */
@Injectable()
export class OpsGate {
  constructor(
    private readonly credentials: OpsCredentials,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  async check(request: FastifyRequest): Promise<OpsVerdict> {
    const login = this.credentials.login(request.headers.authorization);
    if (!login.presented) return CHALLENGE;
    const username = createHash('sha256').update(login.username).digest('base64url');
    const key = `ops-auth-failures:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}:${username}`;
    if (login.accepted) {
      const failures = Number((await this.redis.get(key)) ?? 0);
      return failures >= OPS_FAILURES_ALLOWED ? locked(await this.redis.pttl(key)) : { admitted: true };
    }
    const [failures, remainingMs] = (await this.redis.eval(COUNT_FAILURE, 1, key, OPS_FAILURE_WINDOW_MS)) as [
      number,
      number,
    ];
    // A guess past the limit answers as the right password would: 429, so it tells nothing.
    return failures > OPS_FAILURES_ALLOWED ? locked(remainingMs) : CHALLENGE;
  }
}

const CHALLENGE: OpsVerdict = {
  admitted: false,
  status: 401,
  headers: { 'WWW-Authenticate': 'Basic realm="ops"' },
  body: {
    statusCode: 401,
    error: 'Unauthorized',
    code: 'OPS_CREDENTIALS_REQUIRED',
    message: 'operator credentials are required',
  },
};

function locked(remainingMs: number): OpsVerdict {
  const retryAfter = Math.max(1, Math.ceil(remainingMs / 1000));
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
