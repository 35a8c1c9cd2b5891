import { Metadata, status as GrpcStatus, StatusObject } from '@grpc/grpc-js';
import { CurrentRevision, ExpectedRevision, expectedVersionNumber } from '../engine/expected-revision';
import { ProposedEvent, StoredEvent } from '../log/records';
import { anyPb, emptyPb, sharedPb, statusPb, streamsPb } from './generated';

type Proposed = streamsPb.AppendReq.ProposedMessage | streamsPb.BatchAppendReq.ProposedMessage;

export function streamName(identifier: sharedPb.StreamIdentifier | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

export function streamIdentifier(name: string): sharedPb.StreamIdentifier {
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from(name, 'utf8'));
  return identifier;
}

export function uuidString(uuid: sharedPb.UUID | undefined): string {
  if (!uuid) return '';
  if (uuid.hasString()) return uuid.getString();
  // Structured form: two signed 64-bit halves, most significant first.
  const structured = uuid.getStructured()!;
  const hex = [structured.getMostSignificantBits(), structured.getLeastSignificantBits()]
    .map((half) => BigInt.asUintN(64, BigInt(half)).toString(16).padStart(16, '0'))
    .join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuid(value: string): sharedPb.UUID {
  const id = new sharedPb.UUID();
  id.setString(value);
  return id;
}

export function proposedEvent(message: Proposed): ProposedEvent {
  const metadata = message.getMetadataMap();
  return {
    id: uuidString(message.getId()),
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/octet-stream',
    data: Buffer.from(message.getData_asU8()),
    metadata: Buffer.from(message.getCustomMetadata_asU8()),
  };
}

export function toReadResp(event: StoredEvent): streamsPb.ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(uuid(event.id));
  recorded.setStreamIdentifier(streamIdentifier(event.streamId));
  recorded.setStreamRevision(String(event.revision));
  recorded.setPreparePosition(String(event.position));
  recorded.setCommitPosition(String(event.position));
  const metadata = recorded.getMetadataMap();
  metadata.set('type', event.type);
  metadata.set('content-type', event.contentType);
  metadata.set('created', event.created.toString());
  recorded.setData(event.data);
  recorded.setCustomMetadata(event.metadata);
  const readEvent = new streamsPb.ReadResp.ReadEvent();
  readEvent.setEvent(recorded);
  readEvent.setCommitPosition(String(event.position));
  const resp = new streamsPb.ReadResp();
  resp.setEvent(readEvent);
  return resp;
}

/** A gRPC error the client maps by its `exception` trailer. */
export function serviceError(
  code: GrpcStatus,
  details: string,
  trailers: Record<string, string>,
): Partial<StatusObject> {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return { code, details, metadata };
}

export function streamDeletedError(stream: string): Partial<StatusObject> {
  return serviceError(GrpcStatus.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': stream,
  });
}

/** What EventStoreDB answers an operation the caller may not perform; the client raises AccessDeniedError. */
export function accessDeniedError(): Partial<StatusObject> {
  return serviceError(GrpcStatus.PERMISSION_DENIED, 'Access Denied', { exception: 'access-denied' });
}

/** A read of $all from inside a record, which EventStoreDB refuses. */
export function invalidPositionError(position: number): Partial<StatusObject> {
  return serviceError(
    GrpcStatus.INVALID_ARGUMENT,
    `Invalid position: ${position} is not the position of an event in $all.`,
    {},
  );
}

/** A subscription's filter the store will not run; the client raises UnknownError with this message. */
export function refusedFilterError(reason: string): Partial<StatusObject> {
  return serviceError(GrpcStatus.INVALID_ARGUMENT, reason, {});
}

export function wrongExpectedVersionError(stream: string, current: CurrentRevision, expected: ExpectedRevision) {
  const trailers: Record<string, string> = {
    exception: 'wrong-expected-version',
    'stream-name': stream,
    'expected-version': expectedVersionNumber(expected),
  };
  if (current !== 'no_stream') trailers['actual-version'] = String(current);
  return serviceError(
    GrpcStatus.FAILED_PRECONDITION,
    `Append failed due to WrongExpectedVersion. Stream: ${stream}`,
    trailers,
  );
}

export function maxAppendSizeError(maxAppendSize: number): Partial<StatusObject> {
  return serviceError(GrpcStatus.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, {
    exception: 'maximum-append-size-exceeded',
    'maximum-append-size': String(maxAppendSize),
  });
}

/** google.rpc.Status carrying an EventStoreDB detail, as BatchAppend reports errors. */
export function rpcStatus(
  code: number,
  message: string,
  detail: { serializeBinary(): Uint8Array },
  typeName: string,
): statusPb.Status {
  const details = new anyPb.Any();
  details.pack(detail.serializeBinary(), `event_store.client.${typeName}`);
  const status = new statusPb.Status();
  status.setCode(code);
  status.setMessage(message);
  status.setDetails(details);
  return status;
}

export function wrongExpectedVersionDetail(
  current: CurrentRevision,
  expected: ExpectedRevision,
): sharedPb.WrongExpectedVersion {
  const detail = new sharedPb.WrongExpectedVersion();
  if (current === 'no_stream') detail.setCurrentNoStream(new emptyPb.Empty());
  else detail.setCurrentStreamRevision(String(current));
  switch (expected.kind) {
    case 'any':
      detail.setExpectedAny(new emptyPb.Empty());
      break;
    case 'no_stream':
      detail.setExpectedNoStream(new emptyPb.Empty());
      break;
    case 'stream_exists':
      detail.setExpectedStreamExists(new emptyPb.Empty());
      break;
    case 'exact':
      detail.setExpectedStreamPosition(String(expected.revision));
      break;
  }
  return detail;
}

/** Expected revision from an Append, Delete or Tombstone options message. */
export function expectedFromOptions(options: {
  hasRevision(): boolean;
  getRevision(): string;
  hasNoStream(): boolean;
  hasStreamExists?(): boolean;
}): ExpectedRevision {
  if (options.hasRevision()) return { kind: 'exact', revision: Number(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists?.()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}
