import {
  sendUnaryData,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  status as GrpcStatus,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { EventStoreEngine, From, MAX_APPEND_SIZE, WriteOutcome } from '../engine/event-store-engine';
import { ExpectedRevision } from '../engine/expected-revision';
import { ProposedEvent } from '../log/records';
import { EventFilter, parseFilter } from './event-filter';
import { RefusedFilterRegex } from './filter-regex';
import { codePb, emptyPb, sharedPb, streamsPb } from './generated';
import {
  accessDeniedError,
  expectedFromOptions,
  maxAppendSizeError,
  proposedEvent,
  refusedFilterError,
  rpcStatus,
  serviceError,
  invalidPositionError,
  streamDeletedError,
  streamIdentifier,
  streamName,
  toReadResp,
  uuid,
  uuidString,
  wrongExpectedVersionDetail,
  wrongExpectedVersionError,
} from './messages';
import { READ_PAGE, Subscription, SubscriptionSource } from './subscription';
import { writeAll } from './response-writer';

const { ReadReq, ReadResp, AppendResp, BatchAppendResp, DeleteResp, TombstoneResp } = streamsPb;

export interface StreamsSettings {
  /** Delete and tombstone are refused (access denied) unless this is set: the application never deletes. */
  allowDelete: boolean;
  /** Bytes the unfinished batches of one BatchAppend call may hold; a batch that would pass it is refused. */
  batchAppendBufferBytes: number;
}

/** Implementation of event_store.client.streams.Streams over the engine. */
export function streamsService(engine: EventStoreEngine, settings: StreamsSettings): UntypedServiceImplementation {
  const mayDelete = <R>(callback: sendUnaryData<R>, remove: () => void) =>
    settings.allowDelete ? remove() : callback(accessDeniedError());
  return {
    read: (call: ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>) => read(engine, call),
    append: (
      call: ServerReadableStream<streamsPb.AppendReq, streamsPb.AppendResp>,
      callback: sendUnaryData<streamsPb.AppendResp>,
    ) => append(engine, call, callback),
    batchAppend: (call: ServerDuplexStream<streamsPb.BatchAppendReq, streamsPb.BatchAppendResp>) =>
      batchAppend(engine, call, settings.batchAppendBufferBytes),
    delete: (
      call: ServerUnaryCall<streamsPb.DeleteReq, streamsPb.DeleteResp>,
      callback: sendUnaryData<streamsPb.DeleteResp>,
    ) =>
      mayDelete(callback, () =>
        remove(
          engine,
          call.request.getOptions()!,
          false,
          callback,
          () => new DeleteResp(),
          () => new DeleteResp.Position(),
        ),
      ),
    tombstone: (
      call: ServerUnaryCall<streamsPb.TombstoneReq, streamsPb.TombstoneResp>,
      callback: sendUnaryData<streamsPb.TombstoneResp>,
    ) =>
      mayDelete(callback, () =>
        remove(
          engine,
          call.request.getOptions()!,
          true,
          callback,
          () => new TombstoneResp(),
          () => new TombstoneResp.Position(),
        ),
      ),
  };
}

function read(engine: EventStoreEngine, call: ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>): void {
  const options = call.request.getOptions()!;
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  let filter: EventFilter | undefined;
  try {
    filter = parseFilter(options);
  } catch (error) {
    if (error instanceof RefusedFilterRegex) return void call.emit('error', refusedFilterError(error.message));
    throw error;
  }
  const subscribe = options.hasSubscription();
  const count = subscribe ? Infinity : Number(options.getCount());

  if (options.hasStream()) {
    const streamOptions = options.getStream()!;
    const name = streamName(streamOptions.getStreamIdentifier());
    const from: From = streamOptions.hasRevision()
      ? Number(streamOptions.getRevision())
      : streamOptions.hasEnd()
        ? 'end'
        : 'start';
    if (subscribe) {
      const state = () => engine.stream(name);
      const start = from === 'start' ? 0 : from === 'end' ? (state()?.indices.length ?? 0) : from + 1; // exclusive
      const source: SubscriptionSource = {
        name,
        length: () => (state()?.tombstoned ? 'deleted' : (state()?.indices.length ?? 0)),
        floor: () => state()?.truncateBefore ?? 0,
        allIndex: (i) => state()!.indices[i],
        remember: true,
      };
      return new Subscription(call, engine, source, start, undefined).start();
    }
    const result = engine.readStream(name, from, backwards ? 'backwards' : 'forwards', count);
    if (result.kind === 'deleted') return void call.emit('error', streamDeletedError(name));
    if (result.kind === 'not_found') {
      const notFound = new ReadResp.StreamNotFound();
      notFound.setStreamIdentifier(streamIdentifier(name));
      const resp = new ReadResp();
      resp.setStreamNotFound(notFound);
      call.write(resp);
      return void call.end();
    }
    return void writeAll(call, responses(engine, result.indices, true)).then(() => call.end());
  }

  const allOptions = options.getAll()!;
  const position = allOptions.hasPosition() ? Number(allOptions.getPosition()!.getCommitPosition()) : undefined;
  if (position !== undefined && !engine.isPositionInAll(position))
    return void call.emit('error', invalidPositionError(position));
  const length = engine.eventCount;
  if (subscribe) {
    // Subscribing from a position starts after it; reading from one includes it.
    const start = position !== undefined ? engine.indexAtOrAfter(position + 1) : allOptions.hasEnd() ? length : 0;
    const source: SubscriptionSource = {
      name: '$all',
      length: () => engine.eventCount,
      floor: () => 0,
      allIndex: (i) => i,
      remember: false,
    };
    return new Subscription(call, engine, source, start, filter).start();
  }
  const matches = (i: number) => !filter || filter.matches(engine.streamIdAt(i), engine.typeAt(i));
  const selected: number[] = [];
  if (backwards) {
    let i = position !== undefined ? engine.indexAtOrAfter(position) - 1 : allOptions.hasStart() ? -1 : length - 1;
    for (; i >= 0 && selected.length < count; i--) if (matches(i)) selected.push(i);
  } else {
    let i = position !== undefined ? engine.indexAtOrAfter(position) : allOptions.hasEnd() ? length : 0;
    for (; i < length && selected.length < count; i++) if (matches(i)) selected.push(i);
  }
  void writeAll(call, responses(engine, selected, false)).then(() => call.end());
}

/** Bodies are loaded a page at a time, as the client takes them. */
function* responses(engine: EventStoreEngine, indices: number[], remember: boolean): Iterable<streamsPb.ReadResp> {
  for (let at = 0; at < indices.length; at += READ_PAGE) {
    for (const event of engine.eventsAt(indices.slice(at, at + READ_PAGE), remember)) yield toReadResp(event);
  }
}

function append(
  engine: EventStoreEngine,
  call: ServerReadableStream<streamsPb.AppendReq, streamsPb.AppendResp>,
  callback: sendUnaryData<streamsPb.AppendResp>,
): void {
  let name = '';
  let expected: ExpectedRevision = { kind: 'any' };
  const events: ProposedEvent[] = [];
  let size = 0;
  let answered = false;
  const answer: sendUnaryData<streamsPb.AppendResp> = (error, value) => {
    if (answered) return;
    answered = true;
    callback(error, value);
  };

  call.on('data', (req: streamsPb.AppendReq) => {
    if (req.hasOptions()) {
      const options = req.getOptions()!;
      name = streamName(options.getStreamIdentifier());
      expected = expectedFromOptions(options);
      return;
    }
    const event = proposedEvent(req.getProposedMessage()!);
    size += event.data.length + event.metadata.length;
    // Refuse as soon as the limit is crossed rather than buffer the rest.
    if (size > MAX_APPEND_SIZE) return answer(maxAppendSizeError(MAX_APPEND_SIZE));
    events.push(event);
  });
  call.on('error', () => (answered = true));
  call.on('end', () => {
    if (answered) return;
    engine.append(name, expected, events).then(
      (outcome) => {
        if (outcome.ok) {
          const success = new AppendResp.Success();
          if (outcome.revision === 'no_stream') success.setNoStream(new sharedPb.Empty());
          else success.setCurrentRevision(String(outcome.revision));
          if (outcome.position === undefined) success.setNoPosition(new sharedPb.Empty());
          else success.setPosition(appendPosition(outcome.position));
          const resp = new AppendResp();
          resp.setSuccess(success);
          return answer(null, resp);
        }
        if (outcome.reason === 'wrong_expected_version') return answer(null, wrongExpectedVersionResp(outcome));
        if (outcome.reason === 'stream_deleted') return answer(streamDeletedError(name));
        return answer(maxAppendSizeError(outcome.maxAppendSize));
      },
      (error: Error) => answer(serviceError(GrpcStatus.UNAVAILABLE, error.message, {})),
    );
  });
}

function appendPosition(position: number): streamsPb.AppendResp.Position {
  const grpcPosition = new AppendResp.Position();
  grpcPosition.setCommitPosition(String(position));
  grpcPosition.setPreparePosition(String(position));
  return grpcPosition;
}

function wrongExpectedVersionResp(
  outcome: Extract<WriteOutcome, { reason: 'wrong_expected_version' }>,
): streamsPb.AppendResp {
  const wrong = new AppendResp.WrongExpectedVersion();
  if (outcome.current === 'no_stream') wrong.setCurrentNoStream(new sharedPb.Empty());
  else wrong.setCurrentRevision(String(outcome.current));
  const expected = outcome.expected;
  if (expected.kind === 'exact') wrong.setExpectedRevision(String(expected.revision));
  else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
  else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty());
  else wrong.setExpectedAny(new sharedPb.Empty());
  const resp = new AppendResp();
  resp.setWrongExpectedVersion(wrong);
  return resp;
}

interface BatchInProgress {
  name: string;
  expected: ExpectedRevision;
  options: streamsPb.BatchAppendReq.Options;
  events: ProposedEvent[];
  /** What counts toward the append limit, as the engine counts it. */
  appendSize: number;
  /** What this batch holds in memory, counted toward the call's buffer. */
  heldBytes: number;
}

/** Counted for each unfinished batch besides its events, so many empty batches fill the buffer too. */
const BATCH_OVERHEAD_BYTES = 256;

/** One long-lived stream per client; each request is chunked by correlation id until is_final. */
function batchAppend(
  engine: EventStoreEngine,
  call: ServerDuplexStream<streamsPb.BatchAppendReq, streamsPb.BatchAppendResp>,
  bufferBytes: number,
): void {
  const batches = new Map<string, BatchInProgress>();
  let buffered = 0;
  let inFlight = 0;
  let ended = false;
  const finish = () => {
    if (ended && inFlight === 0) call.end();
  };
  /** Answers a batch before its last chunk and drops what it held; its later chunks carry no options, so they are ignored. */
  const refuse = (correlationId: string, batch: BatchInProgress, message: string) => {
    batches.delete(correlationId);
    buffered -= batch.heldBytes;
    write(tooLargeResp(correlationId, batch, MAX_APPEND_SIZE, message));
  };

  call.on('data', (req: streamsPb.BatchAppendReq) => {
    const correlationId = uuidString(req.getCorrelationId());
    let batch = batches.get(correlationId);
    if (!batch) {
      // As in EventStoreDB, a chunk of a batch not (or no longer) in progress is ignored.
      if (!req.hasOptions()) return;
      const options = req.getOptions()!;
      const name = streamName(options.getStreamIdentifier());
      batch = {
        name,
        expected: batchExpected(options),
        options,
        events: [],
        appendSize: 0,
        heldBytes: BATCH_OVERHEAD_BYTES + name.length,
      };
      batches.set(correlationId, batch);
      buffered += batch.heldBytes;
    }
    const events = req.getProposedMessagesList().map(proposedEvent);
    const held = events.reduce(
      (sum, e) => sum + e.data.length + e.metadata.length + e.type.length + e.contentType.length + e.id.length,
      0,
    );
    if (buffered + held > bufferBytes) {
      return refuse(correlationId, batch, `Unfinished appends of this call would hold more than ${bufferBytes} bytes`);
    }
    batch.events.push(...events);
    batch.appendSize += events.reduce((sum, e) => sum + e.data.length + e.metadata.length, 0);
    batch.heldBytes += held;
    buffered += held;
    // EventStoreDB answers as soon as a batch passes the limit rather than buffer the rest.
    if (batch.appendSize > MAX_APPEND_SIZE) return refuse(correlationId, batch, 'Maximum append size exceeded');
    if (!req.getIsFinal()) return;
    batches.delete(correlationId);
    buffered -= batch.heldBytes;
    inFlight++;
    const done = batch;
    let answered = false;
    const answer = (resp: streamsPb.BatchAppendResp) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      send(resp);
    };
    // The client waits on this stream without a deadline of its own, so the server keeps the request's.
    // As in EventStoreDB, an append that times out is not withdrawn: it may still complete afterwards.
    const timer = afterDeadline(done.options, () =>
      answer(
        errorResp(
          correlationId,
          done,
          rpcStatus(codePb.Code.DEADLINE_EXCEEDED, 'Timeout', new sharedPb.Timeout(), 'Timeout'),
        ),
      ),
    );
    engine.append(done.name, done.expected, done.events).then(
      (outcome) => answer(outcomeResp(correlationId, done, outcome)),
      (error: Error) =>
        answer(
          errorResp(
            correlationId,
            done,
            rpcStatus(codePb.Code.UNAVAILABLE, error.message, new sharedPb.Unknown(), 'Unknown'),
          ),
        ),
    );
  });
  call.on('end', () => {
    ended = true;
    finish();
  });
  call.on('error', () => {
    batches.clear();
    buffered = 0;
  });

  function send(resp: streamsPb.BatchAppendResp): void {
    inFlight--;
    write(resp);
    finish();
  }

  function write(resp: streamsPb.BatchAppendResp): void {
    if (!call.cancelled && !call.writableEnded) call.write(resp);
  }
}

function outcomeResp(correlationId: string, batch: BatchInProgress, outcome: WriteOutcome): streamsPb.BatchAppendResp {
  if (!outcome.ok) {
    if (outcome.reason === 'wrong_expected_version') {
      const detail = wrongExpectedVersionDetail(outcome.current, outcome.expected);
      return errorResp(
        correlationId,
        batch,
        rpcStatus(codePb.Code.FAILED_PRECONDITION, 'Wrong expected version', detail, 'WrongExpectedVersion'),
      );
    }
    if (outcome.reason === 'stream_deleted') {
      const detail = new sharedPb.StreamDeleted();
      detail.setStreamIdentifier(streamIdentifier(batch.name));
      return errorResp(
        correlationId,
        batch,
        rpcStatus(codePb.Code.FAILED_PRECONDITION, 'Stream deleted', detail, 'StreamDeleted'),
      );
    }
    return tooLargeResp(correlationId, batch, outcome.maxAppendSize, 'Maximum append size exceeded');
  }
  const success = new BatchAppendResp.Success();
  if (outcome.revision === 'no_stream') success.setNoStream(new emptyPb.Empty());
  else success.setCurrentRevision(String(outcome.revision));
  if (outcome.position === undefined) success.setNoPosition(new emptyPb.Empty());
  else {
    const position = new sharedPb.AllStreamPosition();
    position.setCommitPosition(String(outcome.position));
    position.setPreparePosition(String(outcome.position));
    success.setPosition(position);
  }
  const resp = batchResp(correlationId, batch);
  resp.setSuccess(success);
  return resp;
}

/** The client raises MaxAppendSizeExceededError with `maxAppendSize`; `message` is for anyone reading the status. */
function tooLargeResp(
  correlationId: string,
  batch: BatchInProgress,
  maxAppendSize: number,
  message: string,
): streamsPb.BatchAppendResp {
  const detail = new sharedPb.MaximumAppendSizeExceeded();
  detail.setMaxappendsize(maxAppendSize);
  return errorResp(
    correlationId,
    batch,
    rpcStatus(codePb.Code.INVALID_ARGUMENT, message, detail, 'MaximumAppendSizeExceeded'),
  );
}

function errorResp(
  correlationId: string,
  batch: BatchInProgress,
  status: ReturnType<typeof rpcStatus>,
): streamsPb.BatchAppendResp {
  const resp = batchResp(correlationId, batch);
  resp.setError(status);
  return resp;
}

/** setTimeout fires at once past this; the client asks for about a year when given no deadline. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs `onTimeout` when the request's deadline passes; none when it has no deadline within a timer's reach. */
function afterDeadline(options: streamsPb.BatchAppendReq.Options, onTimeout: () => void): NodeJS.Timeout | undefined {
  if (!options.hasDeadline()) return undefined;
  const remaining = options.getDeadline()!.toDate().getTime() - Date.now();
  if (remaining > MAX_TIMER_MS) return undefined;
  return setTimeout(onTimeout, Math.max(0, remaining));
}

function batchExpected(options: streamsPb.BatchAppendReq.Options): ExpectedRevision {
  if (options.hasStreamPosition()) return { kind: 'exact', revision: Number(options.getStreamPosition()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}

function batchResp(correlationId: string, batch: BatchInProgress): streamsPb.BatchAppendResp {
  const resp = new BatchAppendResp();
  resp.setCorrelationId(uuid(correlationId));
  resp.setStreamIdentifier(streamIdentifier(batch.name));
  const { expected } = batch;
  if (expected.kind === 'exact') resp.setStreamPosition(String(expected.revision));
  else if (expected.kind === 'no_stream') resp.setNoStream(new emptyPb.Empty());
  else if (expected.kind === 'stream_exists') resp.setStreamExists(new emptyPb.Empty());
  else resp.setAny(new emptyPb.Empty());
  return resp;
}

interface RemoveOptions {
  getStreamIdentifier(): sharedPb.StreamIdentifier | undefined;
  hasRevision(): boolean;
  getRevision(): string;
  hasNoStream(): boolean;
  hasStreamExists?(): boolean;
}

interface PositionMessage {
  setCommitPosition(value: string): unknown;
  setPreparePosition(value: string): unknown;
}

function remove<
  R extends { setPosition(value: never): unknown; setNoPosition(value: sharedPb.Empty): unknown },
  P extends PositionMessage,
>(
  engine: EventStoreEngine,
  options: RemoveOptions,
  tombstone: boolean,
  callback: sendUnaryData<R>,
  newResp: () => R,
  newPosition: () => P,
): void {
  const name = streamName(options.getStreamIdentifier());
  const expected = expectedFromOptions(options);
  engine.delete(name, expected, tombstone).then(
    (outcome) => {
      if (!outcome.ok) {
        if (outcome.reason === 'wrong_expected_version')
          return callback(wrongExpectedVersionError(name, outcome.current, outcome.expected));
        return callback(streamDeletedError(name));
      }
      const resp = newResp();
      const position = newPosition();
      position.setCommitPosition(String(outcome.position));
      position.setPreparePosition(String(outcome.position));
      (resp.setPosition as (value: P) => unknown)(position);
      callback(null, resp);
    },
    (error: Error) => callback(serviceError(GrpcStatus.UNAVAILABLE, error.message, {})),
  );
}
