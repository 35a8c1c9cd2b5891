/**
 * A projector process killed with SIGKILL in the middle of catching up
 * resumes after a restart and ends with views identical to a full rebuild.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { ALL_PROJECTIONS, cartsProjection, measureLag, verify, ViewReader } from '@app/projections';
import { EsdbEventStore } from '@app/eventstore-client';
import { sampleHistory } from '../../tools/sample-history';
import { removeKeys } from '../support/api-harness';
import { RunningProcess, startStoreProcess, startTsProcess } from '../support/processes';

// 40,000 events through a worker killed and restarted: generous, as it shares two cores with another suite.
jest.setTimeout(300_000);

describe('projector crash', () => {
  it('resumes after kill -9 mid-stream and matches a full rebuild', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'projector-crash-'));
    const prefix = `test:${randomUUID()}:`;
    const storeProcess = await startStoreProcess(dataDir);
    const client = EventStoreDBClient.connectionString(storeProcess.connectionString);
    const store = new EsdbEventStore(client);
    const redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: prefix });
    const views = new ViewReader(redis);
    let worker: RunningProcess | undefined;
    const startWorker = () =>
      startTsProcess('apps/worker/src/main.ts', {
        EVENTSTORE_URL: storeProcess.connectionString,
        REDIS_KEY_PREFIX: prefix,
        LOG_LEVEL: 'warn',
      });
    try {
      const pending: Array<Promise<unknown>> = [];
      for (const batch of sampleHistory(40_000, prefix)) {
        pending.push(
          client.appendToStream(
            batch.stream,
            batch.events.map((e) => jsonEvent(e)),
          ),
        );
        if (pending.length >= 200) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);

      worker = startWorker();
      // Kill it once the cart view is part-way through the history.
      for (;;) {
        const lag = await measureLag(store, views, cartsProjection);
        if (lag.checkpoint !== undefined && lag.eventsBehind > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(await worker.kill('SIGKILL')).toBe('SIGKILL');
      const partial = (await measureLag(store, views, cartsProjection)).eventsBehind;
      expect(partial).toBeGreaterThan(0);

      worker = startWorker();
      const deadline = Date.now() + 180_000;
      for (const projection of ALL_PROJECTIONS) {
        while ((await measureLag(store, views, projection)).eventsBehind > 0) {
          if (Date.now() > deadline) throw new Error(`${projection.name} did not catch up:\n${worker.output()}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      const { differences, events } = await verify(store, redis, ALL_PROJECTIONS);
      expect(events).toBeGreaterThan(40_000);
      expect(differences).toEqual([]);
    } finally {
      await worker?.kill('SIGTERM');
      await redis.quit();
      // The views' keys and the worker's queues (BullMQ keeps those under `{prefix bull}`, outside the prefix).
      await removeKeys(prefix);
      await client.dispose();
      await storeProcess.proc.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
