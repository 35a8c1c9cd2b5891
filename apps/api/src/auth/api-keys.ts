import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Environment } from '@app/config';
import { isRole, Role } from './roles';

/** The partner, client and role an API key stands for. */
export interface Caller {
  partnerId: string;
  client: string;
  role: Role;
}

interface KeyEntry extends Caller {
  digest: Buffer;
}

/**
 * Documented in the README and docs/audit.md; never accepted in production.
 * Contoso also has a reader key and an auditor key, so the roles can be tried.
 */
export const DEMO_KEYS =
  'demo-key-contoso=partner-contoso:demo-client,demo-key-fabrikam=partner-fabrikam:demo-client,' +
  'demo-key-contoso-reader=partner-contoso:demo-reader:reader,demo-key-contoso-auditor=partner-contoso:demo-auditor:auditor';

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();

type KeySource = Pick<Environment, 'API_KEYS' | 'API_KEYS_FILE' | 'NODE_ENV'>;

/**
 * Partner API keys, held only as SHA-256 digests. Lookup compares the
 * presented key's digest with every entry in constant time, without stopping
 * at a match, so timing reveals neither the key nor which entry matched.
 *
 * A partner may have several keys (one per client, or an old and a new one
 * while rotating). `reload()` reads the configuration again (SIGHUP, see
 * auth.module.ts): keys added start working and keys removed stop, with no
 * restart; a file that does not parse leaves the keys as they were.
 */
export class ApiKeys {
  private constructor(
    private entries: KeyEntry[],
    private readonly source: KeySource,
  ) {}

  static fromEnvironment(env: KeySource): ApiKeys {
    return new ApiKeys(ApiKeys.read(env), env);
  }

  private static read(env: KeySource): KeyEntry[] {
    const pairs: Array<{ key: string; partnerId: string; client: string; role?: unknown }> = [];
    if (env.API_KEYS_FILE) pairs.push(...(JSON.parse(readFileSync(env.API_KEYS_FILE, 'utf8')) as typeof pairs));
    const inline = env.API_KEYS ?? (pairs.length === 0 && env.NODE_ENV !== 'production' ? DEMO_KEYS : undefined);
    for (const pair of inline?.split(',') ?? []) {
      const [key, owner] = pair.split('=');
      const [partnerId, client, role] = owner.split(':');
      pairs.push({ key, partnerId, client, role });
    }
    if (pairs.length === 0) throw new Error('no API keys configured: set API_KEYS or API_KEYS_FILE');
    for (const pair of pairs) {
      if (!pair.key || !pair.partnerId || !pair.client)
        throw new Error('every API key needs a key, a partnerId and a client name');
      if (pair.role !== undefined && !isRole(pair.role)) {
        throw new Error(
          `API key of ${pair.partnerId}/${pair.client}: role must be writer, reader or auditor, not ${JSON.stringify(pair.role)}`,
        );
      }
    }
    return pairs.map(({ key, partnerId, client, role }) => ({
      digest: digest(key),
      partnerId,
      client,
      role: isRole(role) ? role : 'writer',
    }));
  }

  /** Reads the keys again; throws (and keeps the current keys) when the configuration is wrong. Answers how many keys there are now. */
  reload(): number {
    this.entries = ApiKeys.read(this.source);
    return this.entries.length;
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
      if (timingSafeEqual(entry.digest, candidate))
        found = { partnerId: entry.partnerId, client: entry.client, role: entry.role };
    }
    return found;
  }
}
