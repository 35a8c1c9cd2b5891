import { trustProxyOption, validateEnvironment } from './environment';

const refusal = (env: Record<string, string>) => {
  try {
    validateEnvironment(env);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

describe('Redis topology settings', () => {
  it('takes one server by default, a cluster by its nodes, or a master behind Sentinel', () => {
    expect(validateEnvironment({}).REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(validateEnvironment({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,redis-b:7001' }).REDIS_CLUSTER_NODES).toBe(
      '10.0.0.1:7000,redis-b:7001',
    );
    expect(validateEnvironment({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'main' })).toMatchObject({
      REDIS_SENTINEL_NAME: 'main',
    });
  });

  it('names the variable that is wrong', () => {
    expect(refusal({ REDIS_CLUSTER_NODES: 'redis-a' })).toMatch(/REDIS_CLUSTER_NODES must be host:port,host:port/);
    expect(refusal({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'm' })).toMatch(
      /set one of them, not both/,
    );
    expect(refusal({ REDIS_SENTINELS: 's1:26379' })).toMatch(/REDIS_SENTINEL_NAME: required with REDIS_SENTINELS/);
  });
});

describe('the sandbox clock', () => {
  it('is off unless asked for, and takes a start instant', () => {
    expect(validateEnvironment({}).SANDBOX_CLOCK).toBe(false);
    expect(validateEnvironment({ SANDBOX_CLOCK: 'true', SANDBOX_CLOCK_START: '2027-01-31T10:00:00Z' })).toMatchObject({
      SANDBOX_CLOCK: true,
      SANDBOX_CLOCK_START: '2027-01-31T10:00:00Z',
    });
  });

  it('is refused in production, and a start that is not an instant is refused', () => {
    expect(refusal({ NODE_ENV: 'production', PERSONAL_DATA_URL: 'postgresql://db/x', SANDBOX_CLOCK: 'true' })).toMatch(
      /SANDBOX_CLOCK: refused in production/,
    );
    expect(refusal({ SANDBOX_CLOCK: 'true', SANDBOX_CLOCK_START: 'next tuesday' })).toMatch(/SANDBOX_CLOCK_START/);
    expect(refusal({ SANDBOX_CLOCK: 'yes' })).toMatch(/SANDBOX_CLOCK must be a boolean value/);
  });
});

describe('embedded store settings', () => {
  it('reads a flag as true or false, unset as false, and refuses anything else rather than read it as false', () => {
    expect(validateEnvironment({}).EVENTSTORE_EMBEDDED_ALLOW_DELETE).toBe(false);
    expect(validateEnvironment({ EVENTSTORE_EMBEDDED_ALLOW_DELETE: 'true' }).EVENTSTORE_EMBEDDED_ALLOW_DELETE).toBe(
      true,
    );
    expect(validateEnvironment({ EVENTSTORE_EMBEDDED_ALLOW_DELETE: '' }).EVENTSTORE_EMBEDDED_ALLOW_DELETE).toBe(false);
    expect(refusal({ EVENTSTORE_EMBEDDED_ALLOW_DELETE: 'yes' })).toMatch(
      /EVENTSTORE_EMBEDDED_ALLOW_DELETE must be a boolean value/,
    );
  });

  it('takes users as name:password pairs, and a TLS certificate with its key', () => {
    const users = { EVENTSTORE_EMBEDDED_USERS: 'admin:changeit,ops:pass:with:colons' };
    const tls = {
      EVENTSTORE_EMBEDDED_TLS_CERT_FILE: '/etc/store/cert.pem',
      EVENTSTORE_EMBEDDED_TLS_KEY_FILE: '/etc/store/key.pem',
    };
    expect(validateEnvironment({ ...users, ...tls })).toMatchObject({ ...users, ...tls });
    for (const spec of ['admin', 'admin:', ':secret', 'admin:changeit,', 'admin:changeit,ops']) {
      expect(refusal({ EVENTSTORE_EMBEDDED_USERS: spec })).toMatch(
        /EVENTSTORE_EMBEDDED_USERS must be name:password pairs separated by commas/,
      );
    }
    expect(refusal({ EVENTSTORE_EMBEDDED_TLS_CERT_FILE: '/etc/store/cert.pem' })).toMatch(
      /EVENTSTORE_EMBEDDED_TLS_CERT_FILE, EVENTSTORE_EMBEDDED_TLS_KEY_FILE: set both or neither/,
    );
  });

  it('keeps room for a batch at the append limit in the BatchAppend buffer', () => {
    expect(validateEnvironment({}).EVENTSTORE_EMBEDDED_BATCH_APPEND_BUFFER_BYTES).toBe(8 * 1024 * 1024);
    expect(refusal({ EVENTSTORE_EMBEDDED_BATCH_APPEND_BUFFER_BYTES: '1048576' })).toMatch(
      /EVENTSTORE_EMBEDDED_BATCH_APPEND_BUFFER_BYTES must not be less than 2097152/,
    );
  });
});

describe('per-partner budgets in Redis', () => {
  it('has defaults, and takes whole numbers', () => {
    expect(validateEnvironment({})).toMatchObject({
      PARTNER_USAGE_RECORDS_BUDGET: 1_000_000,
      PARTNER_IDEMPOTENCY_KEYS_BUDGET: 100_000,
      PARTNER_CACHED_RESPONSE_BYTES_BUDGET: 134_217_728,
    });
    expect(
      validateEnvironment({ PARTNER_USAGE_RECORDS_BUDGET: '50000', PARTNER_IDEMPOTENCY_KEYS_BUDGET: '10' }),
    ).toMatchObject({
      PARTNER_USAGE_RECORDS_BUDGET: 50_000,
      PARTNER_IDEMPOTENCY_KEYS_BUDGET: 10,
    });
  });

  it('names the budget that is wrong: a usage budget must hold at least one full batch', () => {
    expect(refusal({ PARTNER_USAGE_RECORDS_BUDGET: '9999' })).toMatch(
      /PARTNER_USAGE_RECORDS_BUDGET must not be less than 10000/,
    );
    expect(refusal({ PARTNER_IDEMPOTENCY_KEYS_BUDGET: 'many' })).toMatch(
      /PARTNER_IDEMPOTENCY_KEYS_BUDGET must be an integer/,
    );
    expect(refusal({ PARTNER_CACHED_RESPONSE_BYTES_BUDGET: '100' })).toMatch(
      /PARTNER_CACHED_RESPONSE_BYTES_BUDGET must not be less than 1024/,
    );
  });
});

describe('TRUST_PROXY', () => {
  it('believes no proxy by default, or the addresses and ranges it names', () => {
    expect(trustProxyOption(validateEnvironment({}).TRUST_PROXY)).toBe(false);
    expect(trustProxyOption(validateEnvironment({ TRUST_PROXY: 'false' }).TRUST_PROXY)).toBe(false);
    const named = validateEnvironment({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,::1,fd00::/8,loopback' }).TRUST_PROXY;
    expect(trustProxyOption(named)).toEqual(['10.0.0.5', '10.1.0.0/16', '::1', 'fd00::/8', 'loopback']);
  });

  it('refuses true, which would believe any client, a hop count, and anything that is not an address or range', () => {
    for (const value of ['true', '1', '10.0.0.0/33', 'proxy.internal', '10.0.0.5,', '10.0.0.5/8/1']) {
      expect({ value, refusal: refusal({ TRUST_PROXY: value }) }).toEqual({
        value,
        refusal: expect.stringMatching(/TRUST_PROXY must be false, or the proxies/),
      });
    }
  });
});
