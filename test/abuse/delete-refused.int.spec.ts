/**
 * The application never deletes a stream, so the embedded store refuses
 * delete and tombstone unless EVENTSTORE_EMBEDDED_ALLOW_DELETE asks for them,
 * answering as EventStoreDB answers an operation the caller may not perform.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessDeniedError, EventStoreDBClient, jsonEvent, StreamNotFoundError } from '@eventstore/db-client';
import { refundLedgerStream } from '@app/domain';
import { EmbeddedEventStore, EmbeddedEventStoreOptions } from '@app/eventstore-server';
import { collect } from '../eventstore/client-helpers';
import { startStoreProcess } from '../support/processes';

describe('embedded store: delete and tombstone', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'abuse-delete-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  async function withStore<T>(
    options: Partial<EmbeddedEventStoreOptions>,
    use: (client: EventStoreDBClient) => Promise<T>,
  ): Promise<T> {
    const store = await EmbeddedEventStore.start({ dataDir, ...options });
    const client = EventStoreDBClient.connectionString(store.connectionString);
    try {
      return await use(client);
    } finally {
      await client.dispose();
      await store.stop();
    }
  }

  const refundRecorded = (customerId: string) =>
    jsonEvent({
      type: 'RefundRecorded',
      data: {
        customerId,
        cancellationId: 'r-1/cancellation-1',
        reservationId: 'r-1',
        amountUsd: 120,
        refundedAt: '2026-01-05T10:00:00.000Z',
      },
    });

  it('refuses to soft-delete or tombstone a refund ledger by default, and the ledger stays whole across a restart', async () => {
    const customerId = randomUUID();
    const ledger = refundLedgerStream(customerId);
    await withStore({}, async (client) => {
      await client.appendToStream(ledger, refundRecorded(customerId));
      const deleted = await client.deleteStream(ledger).catch((error: unknown) => error);
      const tombstoned = await client.tombstoneStream(ledger).catch((error: unknown) => error);
      expect(deleted).toBeInstanceOf(AccessDeniedError);
      expect(tombstoned).toBeInstanceOf(AccessDeniedError);
      // An append after the refusals still continues the ledger, as it would had nothing been tried.
      expect((await client.appendToStream(ledger, refundRecorded(customerId))).nextExpectedRevision).toBe(1n);
    });
    // Nothing of the refused requests reached the log.
    await withStore({}, async (client) => {
      expect((await collect(client.readStream(ledger))).map((e) => e.event!.revision)).toEqual([0n, 1n]);
    });
  });

  it('deletes when the store process is started with EVENTSTORE_EMBEDDED_ALLOW_DELETE=true', async () => {
    const customerId = randomUUID();
    const ledger = refundLedgerStream(customerId);
    const store = await startStoreProcess(dataDir, 0, { EVENTSTORE_EMBEDDED_ALLOW_DELETE: 'true' });
    const client = EventStoreDBClient.connectionString(store.connectionString);
    try {
      await client.appendToStream(ledger, refundRecorded(customerId));
      await client.deleteStream(ledger);
      expect(await collect(client.readStream(ledger)).catch((error: unknown) => error)).toBeInstanceOf(
        StreamNotFoundError,
      );
    } finally {
      await client.dispose();
      await store.proc.kill('SIGTERM');
    }
  });
});
