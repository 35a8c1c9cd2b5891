/**
 * Safe by default: loopback unless production, no real keys without real
 * operator credentials, a cheap /health that names no host, /ops logins
 * limited per address (dashboard included), and no body parsed for a
 * caller without a key. The docker-compose stack follows the same rules.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { Redis } from 'ioredis';
import { validateEnvironment } from '@app/config';
import { ApiHarness, removeKeys, startApi } from '../support/api-harness';
import { freePort, ROOT, startTsProcess, waitForOutput } from '../support/processes';
import { OPS_FAILURES_ALLOWED } from '../../apps/api/src/auth/ops-gate';

jest.setTimeout(120_000);

/** The address a local TCP port is listening on, from the kernel's own table. */
function listeningAddress(port: number): string | undefined {
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (!local || state !== '0A') continue;
    const [hex, portHex] = local.split(':');
    if (parseInt(portHex, 16) !== port) continue;
    return (hex.match(/../g) ?? [])
      .reverse()
      .map((byte) => parseInt(byte, 16))
      .join('.');
  }
  return undefined;
}

describe('safe defaults', () => {
  describe('where the API listens', () => {
    it('resolves HTTP_HOST to loopback outside production, to every address in production, and to what is set', () => {
      const production = {
        NODE_ENV: 'production',
        PERSONAL_DATA_URL: 'postgresql://db/x',
        API_KEYS: 'k=p:c',
        OPS_USERNAME: 'u',
        OPS_PASSWORD: 'p',
      };
      expect(validateEnvironment({}).HTTP_HOST).toBe('127.0.0.1');
      expect(validateEnvironment({ NODE_ENV: 'test' }).HTTP_HOST).toBe('127.0.0.1');
      expect(validateEnvironment(production).HTTP_HOST).toBe('0.0.0.0');
      expect(validateEnvironment({ HTTP_HOST: '0.0.0.0' }).HTTP_HOST).toBe('0.0.0.0');
      expect(validateEnvironment({ ...production, HTTP_HOST: '10.1.2.3' }).HTTP_HOST).toBe('10.1.2.3');
    });

    it.each([
      ['unset, outside production', {}, '127.0.0.1'],
      ['set to 0.0.0.0', { HTTP_HOST: '0.0.0.0' }, '0.0.0.0'],
    ])('binds the api process to loopback with HTTP_HOST %s', async (_case, env, expected) => {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), 'bind-'));
      const prefix = `test:${randomUUID()}:`;
      const api = startTsProcess('apps/api/src/main.ts', {
        NODE_ENV: 'development',
        HTTP_HOST: '',
        HTTP_PORT: String(port),
        EVENTSTORE_EMBEDDED_PORT: '0',
        EVENTSTORE_DATA_DIR: dataDir,
        REDIS_KEY_PREFIX: prefix,
        LOG_LEVEL: 'info',
        ...env,
      });
      try {
        await waitForOutput(api, /Nest application successfully started/, 60_000);
        expect(listeningAddress(port)).toBe(expected);
      } finally {
        await api.kill();
        await removeKeys(prefix);
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  describe('operator credentials', () => {
    it.each([
      [{ API_KEYS: 'k=p:c' }],
      [{ API_KEYS_FILE: '/etc/keys.json' }],
      [{ API_KEYS: 'k=p:c', OPS_USERNAME: 'ops' }],
    ])('are required with %j', (env) => {
      expect(() => validateEnvironment(env)).toThrow(
        'OPS_USERNAME, OPS_PASSWORD: required when API_KEYS or API_KEYS_FILE is set',
      );
    });

    it('are not required for the demo keys, and suffice when set', () => {
      expect(() => validateEnvironment({})).not.toThrow();
      expect(() =>
        validateEnvironment({ API_KEYS: 'k=p:c', OPS_USERNAME: 'ops', OPS_PASSWORD: 's3cret' }),
      ).not.toThrow();
    });

    it('stop the api process at start, naming them, when real keys are set without them', async () => {
      const api = startTsProcess('apps/api/src/main.ts', {
        API_KEYS: 'key-1=partner-1:client',
        OPS_USERNAME: '',
        OPS_PASSWORD: '',
        HTTP_PORT: String(await freePort()),
      });
      expect(await api.exited).toBe(1);
      expect(api.output()).toContain('OPS_USERNAME, OPS_PASSWORD: required when API_KEYS or API_KEYS_FILE is set');
    });
  });

  describe('docker-compose.yml', () => {
    const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { ports?: string[]; environment?: Record<string, string | number> }>;
    };

    it('publishes Redis, EventStoreDB and everything else on 127.0.0.1 only', () => {
      const published = Object.entries(compose.services).flatMap(([name, service]) =>
        (service.ports ?? []).map((port) => [name, String(port)]),
      );
      expect(published.map(([name]) => name)).toEqual(expect.arrayContaining(['eventstore', 'redis']));
      for (const [name, port] of published)
        expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/) });
    });

    it('gives the api what production needs to start', () => {
      const api = compose.services.api.environment!;
      // Compose substitutes ${VAR:?message} from the operator's environment; stand in for that here.
      const substituted = Object.fromEntries(
        Object.entries(api).map(([key, value]) => [
          key,
          String(value).replace(/\$\{(\w+):\?[^}]*\}/g, (_m, name: string) =>
            name === 'API_KEYS' ? 'key-1=partner-1:erp' : `from-operator-${name}`,
          ),
        ]),
      );
      expect(substituted.NODE_ENV).toBe('production');
      const env = validateEnvironment(substituted);
      expect(env).toMatchObject({
        NODE_ENV: 'production',
        HTTP_HOST: '0.0.0.0',
        OPS_USERNAME: expect.any(String),
        OPS_PASSWORD: expect.any(String),
      });
      expect(env.API_KEYS ?? env.API_KEYS_FILE).toBeDefined();
      expect(env.PERSONAL_DATA_URL).toMatch(/^postgresql:\/\//);
      // The api refuses to start in production without its audit key.
      expect(api.AUDIT_SIGNING_KEY).toBeDefined();
      // Secrets come from the operator, never from the file.
      for (const name of ['OPS_PASSWORD', 'API_KEYS', 'AUDIT_SIGNING_KEY'])
        if (api[name] !== undefined) expect(String(api[name])).toMatch(/^\$\{\w+:\?/);
    });
  });

  describe('over HTTP', () => {
    let api: ApiHarness;
    let prefix: string;
    beforeAll(async () => {
      api = await startApi({ RUN_PROJECTIONS: 'false' });
      prefix = api.app.get(Redis).options.keyPrefix!;
    });
    afterAll(() => api.close());

    it('answers /health without scanning Redis', async () => {
      const monitor = new Redis('redis://127.0.0.1:6379');
      monitor.on('error', () => undefined);
      const seen: string[] = [];
      try {
        const feed = await monitor.monitor();
        // ioredis may lose track of a monitor feed busy with other suites' commands; what it did see is still checked below.
        feed.on('error', () => undefined);
        feed.on('monitor', (_time: string, args: string[]) => {
          if (args.some((arg) => arg.includes(prefix))) seen.push(args.join(' '));
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
        await fetch(`${api.url}/health`);
        await new Promise((resolve) => setTimeout(resolve, 300));
        feed.disconnect();
      } finally {
        monitor.disconnect();
      }
      // The monitor saw /health's own reads, so it would have seen a SCAN.
      expect(seen.some((command) => /^hgetall .*workers:heartbeats$/i.test(command))).toBe(true);
      expect(seen.filter((command) => /^scan /i.test(command))).toEqual([]);
    });

    it('refuses a /v1 request without a valid key before parsing its body', async () => {
      // Larger than the 8 MB limit, and not JSON: parsed, it would be 413 or 400.
      const body = Buffer.alloc(9 * 1024 * 1024, '{');
      for (const headers of [{}, { 'x-api-key': 'not-a-key' }]) {
        const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpRequest(
            `${api.url}/v1/customers`,
            {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'content-length': body.length, ...headers },
            },
            (res) => {
              let text = '';
              res.on('data', (chunk: Buffer) => (text += chunk.toString()));
              res.on('end', () => resolve({ status: res.statusCode!, body: text }));
            },
          );
          // The server may close the socket while we are still sending: the answer has come by then.
          req.on('error', (error: NodeJS.ErrnoException) =>
            error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
          );
          req.end(body);
        });
        expect(answer.status).toBe(401);
        expect(JSON.parse(answer.body)).toMatchObject({ statusCode: 401, code: 'INVALID_API_KEY' });
      }
      // With a key, the same body is parsed, and refused for what it is.
      const parsed = await api.call('POST', '/v1/customers', { body: body.toString() });
      expect(parsed.status).toBe(413);
    });

    it(`limits failed operator logins per address: after ${OPS_FAILURES_ALLOWED}, /ops/projections and /ops/queues answer 429, right password or not`, async () => {
      const basic = (password: string) => ({
        authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`,
      });
      expect((await fetch(`${api.url}/ops/projections`, { headers: basic('ops') })).status).toBe(200);
      for (let i = 0; i < OPS_FAILURES_ALLOWED; i++) {
        const path = i % 2 === 0 ? '/ops/projections' : '/ops/queues';
        const answer = await fetch(`${api.url}${path}`, { headers: basic(`guess-${i}`) });
        expect({ path, status: answer.status }).toEqual({ path, status: 401 });
      }
      for (const path of ['/ops/projections', '/ops/queues', '/ops/queues/api/queues']) {
        const limited = await fetch(`${api.url}${path}`, { headers: basic('ops') });
        expect({ path, status: limited.status }).toEqual({ path, status: 429 });
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await limited.json()).toMatchObject({ statusCode: 429, code: 'OPS_AUTH_RATE_LIMITED' });
      }
      // Partner routes do not share the operators' count.
      expect((await api.call('GET', '/v1/catalog?limit=1')).status).toBe(200);
    });
  });
});
