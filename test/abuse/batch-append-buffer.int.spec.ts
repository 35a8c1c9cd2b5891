/**
 * BatchAppend is one long-lived call per client, and a batch arrives in
 * chunks the store holds until the last one. A client that keeps batches
 * unfinished must not make the store hold memory without bound: a batch past
 * the 1 MiB append limit is answered at once, as EventStoreDB answers it, and
 * the unfinished batches of one call hold at most a set number of bytes.
 * The official client always finishes its batches, so these tests speak the
 * protocol through the client's generated gRPC classes.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientDuplexStream, credentials } from '@grpc/grpc-js';
import { EventStoreDBClient, StreamNotFoundError } from '@eventstore/db-client';
import * as streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb';
import * as streamsPb from '@eventstore/db-client/generated/streams_pb';
import * as sharedPb from '@eventstore/db-client/generated/shared_pb';
import { EmbeddedEventStore, MAX_APPEND_SIZE } from '@app/eventstore-server';
import { collect } from '../eventstore/client-helpers';
import { eventually } from '../support/eventually';

type BatchCall = ClientDuplexStream<streamsPb.BatchAppendReq, streamsPb.BatchAppendResp>;

const KiB = 1024;

/** One chunk of a batch: the first carries the stream, the last says so. */
function chunk(
  correlationId: string,
  { stream, bytes, final }: { stream?: string; bytes: number; final: boolean },
): streamsPb.BatchAppendReq {
  const uuid = (value: string) => new sharedPb.UUID().setString(value);
  const req = new streamsPb.BatchAppendReq().setCorrelationId(uuid(correlationId)).setIsFinal(final);
  if (stream) {
    const options = new streamsPb.BatchAppendReq.Options();
    options.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(stream)));
    req.setOptions(options);
  }
  const message = new streamsPb.BatchAppendReq.ProposedMessage()
    .setId(uuid(randomUUID()))
    .setData(Buffer.alloc(bytes, 'x'));
  message.getMetadataMap().set('type', 'Filler').set('content-type', 'application/octet-stream');
  req.addProposedMessages(message);
  return req;
}

/** Answers by correlation id, as they arrive. */
function answersOf(call: BatchCall): Map<string, streamsPb.BatchAppendResp> {
  const answers = new Map<string, streamsPb.BatchAppendResp>();
  call.on('data', (resp: streamsPb.BatchAppendResp) => answers.set(resp.getCorrelationId()!.getString(), resp));
  call.on('error', () => undefined);
  return answers;
}

const errorType = (resp: streamsPb.BatchAppendResp | undefined) =>
  resp?.getError()?.getDetails()?.getTypeName() ?? (resp?.hasSuccess() ? 'success' : undefined);

describe('embedded store: BatchAppend buffering', () => {
  let dataDir: string;
  let store: EmbeddedEventStore;
  let raw: streamsGrpc.StreamsClient;
  let client: EventStoreDBClient;

  async function start(batchAppendBufferBytes?: number): Promise<void> {
    store = await EmbeddedEventStore.start({ dataDir, batchAppendBufferBytes });
    raw = new streamsGrpc.StreamsClient(`${store.host}:${store.port}`, credentials.createInsecure());
    client = EventStoreDBClient.connectionString(store.connectionString);
  }

  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'abuse-batch-'))));
  afterEach(async () => {
    raw.close();
    await client.dispose();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a batch past the append limit before its last chunk, and ignores the rest of it', async () => {
    await start();
    const call = raw.batchAppend();
    const answers = answersOf(call);
    const oversized = randomUUID();
    const stream = `oversized-${randomUUID()}`;
    call.write(chunk(oversized, { stream, bytes: 600 * KiB, final: false }));
    call.write(chunk(oversized, { bytes: 600 * KiB, final: false }));

    const answer = await eventually(() => answers.get(oversized), 5_000);
    expect(errorType(answer)).toBe('event_store.client.MaximumAppendSizeExceeded');
    const detail = sharedPb.MaximumAppendSizeExceeded.deserializeBinary(
      answer.getError()!.getDetails()!.getValue_asU8(),
    );
    expect(detail.getMaxappendsize()).toBe(MAX_APPEND_SIZE);

    // Its last chunk comes later: nothing is written, and it is not answered again.
    call.write(chunk(oversized, { bytes: 1, final: true }));
    const after = randomUUID();
    call.write(chunk(after, { stream: `after-${randomUUID()}`, bytes: 10, final: true }));
    await eventually(() => answers.get(after), 5_000);
    expect(errorType(answers.get(after))).toBe('success');
    expect(await collect(client.readStream(stream)).catch((error: unknown) => error)).toBeInstanceOf(
      StreamNotFoundError,
    );
    call.end();
  });

  it('holds at most the set bytes of unfinished batches per call, refusing the batches past it and serving the others', async () => {
    await start(4 * 1024 * KiB);
    const call = raw.batchAppend();
    const answers = answersOf(call);
    // Twelve batches of 900 KiB each, none finished: 10.5 MiB held unless the store stops them.
    const batches = Array.from({ length: 12 }, () => ({ id: randomUUID(), stream: `held-${randomUUID()}` }));
    for (const { id, stream } of batches) call.write(chunk(id, { stream, bytes: 900 * KiB, final: false }));

    // The first four fit in 4 MiB; every later one is refused when its first chunk arrives.
    const refused = batches.slice(4);
    await eventually(() => refused.every(({ id }) => answers.has(id)), 5_000);
    for (const { id } of refused)
      expect(errorType(answers.get(id))).toBe('event_store.client.MaximumAppendSizeExceeded');
    expect(batches.slice(0, 4).filter(({ id }) => answers.has(id))).toEqual([]);

    // The held ones finish and are written; the refused ones freed their room for new batches.
    for (const { id } of batches.slice(0, 4)) call.write(chunk(id, { bytes: 10, final: true }));
    const fresh = { id: randomUUID(), stream: `fresh-${randomUUID()}` };
    call.write(chunk(fresh.id, { stream: fresh.stream, bytes: 900 * KiB, final: true }));
    await eventually(() => [...batches.slice(0, 4), fresh].every(({ id }) => answers.has(id)), 5_000);
    expect([...batches.slice(0, 4), fresh].map(({ id }) => errorType(answers.get(id)))).toEqual(
      Array(5).fill('success'),
    );
    expect((await collect(client.readStream(batches[0].stream))).map((e) => e.event!.type)).toEqual([
      'Filler',
      'Filler',
    ]);
    call.end();
  });

  it('holds 8 MiB of unfinished batches per call by default', async () => {
    await start();
    const call = raw.batchAppend();
    const answers = answersOf(call);
    const batches = Array.from({ length: 10 }, () => ({ id: randomUUID(), stream: `held-${randomUUID()}` }));
    for (const { id, stream } of batches) call.write(chunk(id, { stream, bytes: 900 * KiB, final: false }));
    // Nine batches of 900 KiB fit in 8 MiB; the tenth does not.
    await eventually(() => answers.has(batches[9].id), 5_000);
    expect(errorType(answers.get(batches[9].id))).toBe('event_store.client.MaximumAppendSizeExceeded');
    expect(batches.slice(0, 9).filter(({ id }) => answers.has(id))).toEqual([]);
    call.end();
  });
});
