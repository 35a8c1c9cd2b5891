import { createHash, timingSafeEqual } from 'node:crypto';
import { Environment } from '@app/config';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** What a request presented at the operators' door: nothing (a challenge is due), or a login, right or wrong. */
export type OpsLogin = { presented: false } | { presented: true; username: string; accepted: boolean };

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

  /**
   * Reads an Authorization header: none is no login (a browser's first
   * request, before it is challenged); anything else is a login under the
   * username it names ('' when it names none), checked in constant time.
   */
  login(authorization: string | undefined): OpsLogin {
    if (authorization === undefined) return { presented: false };
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization);
    const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    return {
      presented: true,
      username: colon < 0 ? '' : decoded.slice(0, colon),
      accepted: timingSafeEqual(digest(decoded), this.expected),
    };
  }
}
