import { createHash, timingSafeEqual } from 'node:crypto';
import { Environment } from '@app/config';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Basic-auth credentials for the operator pages (/ops). They are separate from
 * partner API keys: operators see every partner's queues and projections.
 */
export class OpsCredentials {
  private constructor(private readonly expected: Buffer) {}

  static fromEnvironment(env: Pick<Environment, 'OPS_USERNAME' | 'OPS_PASSWORD' | 'NODE_ENV'>): OpsCredentials {
    if (!env.OPS_USERNAME || !env.OPS_PASSWORD) {
      if (env.NODE_ENV === 'production') throw new Error('OPS_USERNAME and OPS_PASSWORD are required in production');
      return new OpsCredentials(digest('ops:ops'));
    }
    return new OpsCredentials(digest(`${env.OPS_USERNAME}:${env.OPS_PASSWORD}`));
  }

  /** Checks an Authorization header in constant time. */
  accepts(authorization: string | undefined): boolean {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization ?? '');
    const presented = digest(match ? Buffer.from(match[1], 'base64').toString('utf8') : '');
    return timingSafeEqual(presented, this.expected);
  }
}
