import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { deleteDeploymentKeys } from '../../libs/queues/testing/deployment-keys';
import type { createApi as CreateApi } from '../../apps/api/src/create-api';
import { eventViolations, StoredEventLike } from '../../libs/event-catalog/testing/event-validation';
import { ApiContract } from './api-contract';

export const CONTOSO_KEY = 'demo-key-contoso';
export const FABRIKAM_KEY = 'demo-key-fabrikam';

/** Deletes every Redis key under a test's prefix, and its queues' (which BullMQ keeps under `{prefix bull}`). */
export async function removeKeys(prefix: string): Promise<void> {
  const redis = new Redis('redis://127.0.0.1:6379');
  try {
    await deleteDeploymentKeys(redis, prefix);
  } finally {
    await redis.quit();
  }
}

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiHarness {
  app: INestApplication;
  url: string;
  /** The served OpenAPI document, as a checker of answers. */
  contract: ApiContract;
  /**
   * A request as a partner (Contoso unless another key is given). Like a
   * careful client, it sends the highest X-Position it has seen as
   * X-Min-Position on reads, so it reads its own writes from the views.
   * Every answer is checked against the OpenAPI document: one that does not
   * match its route and status (body or headers) fails the call.
   */
  call<T = any>(
    method: string,
    path: string,
    options?: { body?: unknown; key?: string | null; headers?: Record<string, string>; consistent?: boolean },
  ): Promise<HttpAnswer<T>>;
  /** How many events $all holds: the witness that a refused command wrote nothing. */
  countEvents(): Promise<number>;
  /** Stops the app; fails when an event the suite wrote (api or worker) does not match the event catalog's schema for it. */
  close(): Promise<void>;
}

/**
 * The real API, listening on a free port, on an embedded store in a fresh
 * directory and the local Redis. The environment is set before the app's
 * modules load, because configuration is validated when they do.
 */
export async function startApi(env: Record<string, string> = {}): Promise<ApiHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'api-e2e-'));
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    EVENTSTORE_DATA_DIR: dataDir,
    EVENTSTORE_EMBEDDED_PORT: '0',
    RUN_PROJECTIONS: 'true',
    // Each harness has its own store, so it gets its own views in the shared Redis.
    REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    // Tests drive many requests with one key; the rate limit has its own test.
    THROTTLE_LIMIT: '1000000',
    // Contacts in the machine's real PostgreSQL; the embedded one has its own test.
    PERSONAL_DATA_URL: 'postgresql://postgres@127.0.0.1:5432/postgres',
    ...env,
  });
  // Loaded only now, after the environment above is in place.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- must load after the environment is set
  const { createApi } = require('../../apps/api/src/create-api') as { createApi: typeof CreateApi };
  const app = await createApi();
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const store = app.get(EventStoreDBClient);
  const contract = await ApiContract.served(url);
  let lastPosition = 0n;

  return {
    app,
    url,
    contract,
    async call(method, path, { body, key = CONTOSO_KEY, headers = {}, consistent = true } = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(key === null ? {} : { 'x-api-key': key }),
          ...(method === 'GET' && consistent && lastPosition > 0n ? { 'x-min-position': lastPosition.toString() } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const position = response.headers.get('x-position');
      if (position && BigInt(position) > lastPosition) lastPosition = BigInt(position);
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      const violations = contract.violations(method, path, response.status, response.headers, parsed);
      if (violations.length > 0) {
        throw new Error(
          `the answer does not match the OpenAPI document:\n  ${violations.join('\n  ')}\nbody: ${text.slice(0, 2_000)}`,
        );
      }
      return { status: response.status, body: parsed as never, headers: response.headers };
    },
    async countEvents() {
      let count = 0;
      for await (const _ of store.readAll()) count++;
      return count;
    },
    async close() {
      const prefix = app.get(Redis).options.keyPrefix!;
      const written: StoredEventLike[] = [];
      let reachable = true;
      try {
        for await (const { event } of store.readAll()) if (event) written.push(event);
      } catch {
        // A suite that points the api at a store it cannot reach (an outage test) wrote nothing to check.
        reachable = false;
      }
      const violations = reachable ? eventViolations(written) : [];
      await app.close();
      // After close: shutting down still writes (status, queue metadata).
      await removeKeys(prefix);
      rmSync(dataDir, { recursive: true, force: true });
      if (violations.length > 0)
        throw new Error(
          `events written do not match the event catalog (docs/events.md):\n  ${violations.join('\n  ')}`,
        );
    },
  };
}
