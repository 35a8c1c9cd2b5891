import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Environment } from '@app/config';

/** The partner and client an API key stands for. */
export interface Caller {
  partnerId: string;
  client: string;
}

interface KeyEntry extends Caller {
  digest: Buffer;
}

/** Documented in the README; never accepted in production. */
export const DEMO_KEYS = 'demo-key-contoso=partner-contoso:demo-client,demo-key-fabrikam=partner-fabrikam:demo-client';

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/**
 * Partner API keys, held only as SHA-256 digests. Lookup compares the
 * presented key's digest with every entry in constant time, without stopping
 * at a match, so timing reveals neither the key nor which entry matched.
 */
export class ApiKeys {
  private constructor(private readonly entries: KeyEntry[]) {}

  static fromEnvironment(env: Pick<Environment, 'API_KEYS' | 'API_KEYS_FILE' | 'NODE_ENV'>): ApiKeys {
    const pairs: Array<{ key: string } & Caller> = [];
    if (env.API_KEYS_FILE) pairs.push(...(JSON.parse(readFileSync(env.API_KEYS_FILE, 'utf8')) as Array<{ key: string } & Caller>));
    const inline = env.API_KEYS ?? (pairs.length === 0 && env.NODE_ENV !== 'production' ? DEMO_KEYS : undefined);
    for (const pair of inline?.split(',') ?? []) {
      const [key, owner] = pair.split('=');
      const [partnerId, client] = owner.split(':');
      pairs.push({ key, partnerId, client });
    }
    if (pairs.length === 0) throw new Error('no API keys configured: set API_KEYS or API_KEYS_FILE');
    for (const pair of pairs) {
      if (!pair.key || !pair.partnerId || !pair.client) throw new Error('every API key needs a key, a partnerId and a client name');
    }
    return new ApiKeys(pairs.map(({ key, partnerId, client }) => ({ digest: digest(key), partnerId, client })));
  }

  /** Every partner a key is configured for, once each: the partners /metrics reports budgets of. */
  partnerIds(): string[] {
    return [...new Set(this.entries.map((entry) => entry.partnerId))].sort();
  }

  identify(presented: string | undefined): Caller | undefined {
    if (!presented) return undefined;
    const candidate = digest(presented);
    let found: Caller | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate)) found = { partnerId: entry.partnerId, client: entry.client };
    }
    return found;
  }
}
