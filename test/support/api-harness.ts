import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { EventStoreDBClient } from '@eventstore/db-client';
import type { createApi as CreateApi } from '../../apps/api/src/create-api';

export const CONTOSO_KEY = 'demo-key-contoso';
export const FABRIKAM_KEY = 'demo-key-fabrikam';

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiHarness {
  app: INestApplication;
  url: string;
  /** A request as a partner (Contoso unless another key is given). */
  call<T = any>(method: string, path: string, options?: { body?: unknown; key?: string | null; headers?: Record<string, string> }): Promise<HttpAnswer<T>>;
  /** How many events $all holds: the witness that a refused command wrote nothing. */
  countEvents(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The real API, listening on a free port, on an embedded store in a fresh
 * directory and the local Redis. The environment is set before the app's
 * modules load, because configuration is validated when they do.
 */
export async function startApi(env: Record<string, string> = {}): Promise<ApiHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'api-e2e-'));
  Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', EVENTSTORE_DATA_DIR: dataDir, EVENTSTORE_EMBEDDED_PORT: '0', ...env });
  // Loaded only now, after the environment above is in place.
  const { createApi } = require('../../apps/api/src/create-api') as { createApi: typeof CreateApi };
  const app = await createApi();
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const store = app.get(EventStoreDBClient);

  return {
    app,
    url,
    async call(method, path, { body, key = CONTOSO_KEY, headers = {} } = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(key === null ? {} : { 'x-api-key': key }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed as never, headers: response.headers };
    },
    async countEvents() {
      let count = 0;
      for await (const _ of store.readAll()) count++;
      return count;
    },
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
