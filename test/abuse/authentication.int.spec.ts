/**
 * The embedded store off loopback must not be open to anyone who reaches the
 * port: it refuses to start there without users, and with users it checks the
 * HTTP Basic credentials the official client sends, answering as EventStoreDB
 * does. The client sends credentials only over TLS (with `tls=false` it
 * drops them), so users come with a certificate.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import {
  AccessDeniedError,
  EventStoreDBClient,
  jsonEvent,
  ResolvedEvent,
  START,
  streamNameFilter,
} from '@eventstore/db-client';
import { EmbeddedEventStore } from '@app/eventstore-server';
import { collect, nextEvents } from '../eventstore/client-helpers';
import { startTsProcess, waitForOutput } from '../support/processes';
import { selfSignedCertificate } from './tls-certificate';

/** Settles with 'still running' after `ms`, without keeping Jest waiting for the timer. */
const stillRunningAfter = (ms: number) =>
  new Promise<string>((resolve) => setTimeout(() => resolve('still running'), ms).unref());

const users = [
  { username: 'admin', password: 'changeit' },
  { username: 'ops', password: 's3cret:with,odd@chars' },
];

describe('embedded store: authentication', () => {
  let root: string;
  let dataDir: string;
  let tls: { certFile: string; keyFile: string };
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'abuse-auth-'));
    tls = selfSignedCertificate(root);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  beforeEach(() => (dataDir = mkdtempSync(join(root, 'store-'))));

  describe('starting', () => {
    it('refuses an address off loopback without users, before taking the data directory', async () => {
      await expect(EmbeddedEventStore.start({ dataDir, host: '0.0.0.0' })).rejects.toThrow(
        'the embedded event store on 0.0.0.0 (not loopback) needs users: set EVENTSTORE_EMBEDDED_USERS, or listen on 127.0.0.1',
      );
      expect(existsSync(join(dataDir, 'LOCK'))).toBe(false);
    });

    it('refuses users without TLS, as the official client would never send their credentials', async () => {
      await expect(EmbeddedEventStore.start({ dataDir, users })).rejects.toThrow(
        'the embedded event store needs TLS with users, as the official client sends credentials only over TLS: set EVENTSTORE_EMBEDDED_TLS_CERT_FILE and EVENTSTORE_EMBEDDED_TLS_KEY_FILE',
      );
    });

    it('refuses a user listed twice', async () => {
      await expect(
        EmbeddedEventStore.start({ dataDir, users: [...users, { username: 'admin', password: 'other' }], tls }),
      ).rejects.toThrow('the embedded event store user admin is listed twice');
    });

    it('stays open on loopback without users, as for tests and local runs', async () => {
      const store = await EmbeddedEventStore.start({ dataDir });
      const client = EventStoreDBClient.connectionString(store.connectionString);
      try {
        await client.appendToStream('open', jsonEvent({ type: 'Opened', data: {} }));
        expect(await collect(client.readStream('open'))).toHaveLength(1);
      } finally {
        await client.dispose();
        await store.stop();
      }
    });

    it('as its own process, refuses EVENTSTORE_EMBEDDED_HOST=0.0.0.0 without users, and serves it with users over TLS', async () => {
      const refused = startTsProcess('apps/eventstore/src/main.ts', {
        EVENTSTORE_DATA_DIR: dataDir,
        EVENTSTORE_EMBEDDED_PORT: '0',
        EVENTSTORE_EMBEDDED_HOST: '0.0.0.0',
      });
      try {
        expect(await Promise.race([refused.exited, stillRunningAfter(20_000)])).toBe(1);
        expect(refused.output()).toContain(
          'embedded event store failed to start: the embedded event store on 0.0.0.0 (not loopback) needs users',
        );
      } finally {
        await refused.kill('SIGKILL');
      }

      const served = startTsProcess('apps/eventstore/src/main.ts', {
        EVENTSTORE_DATA_DIR: dataDir,
        EVENTSTORE_EMBEDDED_PORT: '0',
        EVENTSTORE_EMBEDDED_HOST: '0.0.0.0',
        EVENTSTORE_EMBEDDED_USERS: 'admin:changeit,ops:s3cret',
        EVENTSTORE_EMBEDDED_TLS_CERT_FILE: tls.certFile,
        EVENTSTORE_EMBEDDED_TLS_KEY_FILE: tls.keyFile,
      });
      try {
        const [, port] = await waitForOutput(served, /listening on 0\.0\.0\.0:(\d+)/);
        const tlsQuery = `tls=true&tlsCAFile=${encodeURIComponent(tls.certFile)}`;
        const ops = EventStoreDBClient.connectionString(`esdb://ops:s3cret@127.0.0.1:${port}?${tlsQuery}`);
        const anonymous = EventStoreDBClient.connectionString(`esdb://127.0.0.1:${port}?${tlsQuery}`);
        try {
          await ops.appendToStream('served', jsonEvent({ type: 'Served', data: {} }));
          expect(await collect(ops.readStream('served'))).toHaveLength(1);
          expect(await collect(anonymous.readStream('served')).catch((error: unknown) => error)).toBeInstanceOf(
            AccessDeniedError,
          );
        } finally {
          await ops.dispose();
          await anonymous.dispose();
        }
        expect(served.output()).not.toContain('s3cret');
      } finally {
        await served.kill('SIGTERM');
      }
    });
  });

  describe('with users', () => {
    let store: EmbeddedEventStore;
    let admin: EventStoreDBClient;
    const clients: EventStoreDBClient[] = [];
    const connect = (credentials: string) => {
      const client = EventStoreDBClient.connectionString(
        `esdb://${credentials}127.0.0.1:${store.port}?tls=true&tlsCAFile=${encodeURIComponent(tls.certFile)}`,
      );
      clients.push(client);
      return client;
    };
    beforeEach(async () => {
      store = await EmbeddedEventStore.start({ dataDir, users, tls });
      // The store's own connection string, as the api and worker use it in-process: the first user, over TLS.
      admin = EventStoreDBClient.connectionString(store.connectionString);
    });
    afterEach(async () => {
      for (const client of clients.splice(0)) await client.dispose();
      await admin.dispose();
      await store.stop();
    });

    /** Every Streams call the application makes, each settling with its error or 'ok'. */
    async function everyCall(client: EventStoreDBClient, stream: string): Promise<Record<string, unknown>> {
      const settle = (promise: Promise<unknown>) => promise.then(() => 'ok' as const).catch((error: unknown) => error);
      const subscription = client.subscribeToAll({
        fromPosition: START,
        filter: streamNameFilter({ prefixes: [stream] }),
      });
      const subscribed = settle(
        new Promise<ResolvedEvent>((resolve, reject) => {
          subscription.once('data', resolve);
          subscription.once('error', reject);
        }),
      );
      return {
        batchAppend: await settle(client.appendToStream(stream, jsonEvent({ type: 'Appended', data: {} }))),
        append: await settle(
          client.appendToStream(stream, jsonEvent({ type: 'Appended', data: {} }), {
            credentials: { username: 'ops', password: users[1].password },
          }),
        ),
        readStream: await settle(collect(client.readStream(stream))),
        readAll: await settle(collect(client.readAll({ maxCount: 10 }))),
        subscribeToStream: await settle(nextEvents(client.subscribeToStream(stream), 1)),
        subscribeToAll: await subscribed.finally(() => subscription.unsubscribe()),
      };
    }

    it("serves every call to the store's own connection string and to each configured user", async () => {
      const stream = `authenticated-${randomUUID()}`;
      await admin.appendToStream(stream, jsonEvent({ type: 'Seeded', data: {} }));
      const ok = {
        batchAppend: 'ok',
        append: 'ok',
        readStream: 'ok',
        readAll: 'ok',
        subscribeToStream: 'ok',
        subscribeToAll: 'ok',
      };
      expect(await everyCall(admin, stream)).toEqual(ok);
      expect(await everyCall(connect(`ops:${encodeURIComponent(users[1].password)}@`), stream)).toEqual(ok);
      // Gossip and server features answer anonymous callers, as EventStoreDB does: the client calls them without credentials.
      const discovering = EventStoreDBClient.connectionString(
        store.connectionString.replace('esdb://', 'esdb+discover://'),
      );
      try {
        expect(await collect(discovering.readStream(stream))).toHaveLength(5);
      } finally {
        await discovering.dispose();
      }
    });

    it.each([
      ['a wrong password', 'admin:wrong@', status.UNAUTHENTICATED],
      ['an unknown user', 'mallory:changeit@', status.UNAUTHENTICATED],
      ["one user's name with another's password", 'ops:changeit@', status.UNAUTHENTICATED],
      ['no credentials', '', status.PERMISSION_DENIED],
    ])(
      'refuses every call with %s as EventStoreDB does (AccessDeniedError), writing nothing with them',
      async (_case, credentials, code) => {
        const stream = `refused-${randomUUID()}`;
        await admin.appendToStream(stream, jsonEvent({ type: 'Seeded', data: {} }));
        const outcomes = await everyCall(connect(credentials), stream);
        // Per-call credentials are checked the same way; the Append path sends the ops user's, which are right.
        const { append, ...withClientCredentials } = outcomes;
        expect(append).toBe('ok');
        for (const [call, outcome] of Object.entries(withClientCredentials)) {
          expect({ call, outcome }).toEqual({ call, outcome: expect.any(AccessDeniedError) });
          expect({ call, code: (outcome as AccessDeniedError).code }).toEqual({ call, code });
        }
        expect((await collect(admin.readStream(stream))).map((e) => e.event!.type)).toEqual(['Seeded', 'Appended']);
      },
    );

    it('refuses wrong per-call credentials on a client whose own are right', async () => {
      const error = await admin
        .appendToStream('per-call', jsonEvent({ type: 'Appended', data: {} }), {
          credentials: { username: 'admin', password: 'wrong' },
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AccessDeniedError);
      expect((error as AccessDeniedError).code).toBe(status.UNAUTHENTICATED);
    });
  });
});
