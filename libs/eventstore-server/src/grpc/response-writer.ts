import { ServerWritableStream } from '@grpc/grpc-js';

type Call = ServerWritableStream<unknown, unknown>;

/** True once the client has gone: no further writes should be attempted. */
export function isGone(call: Call): boolean {
  return call.cancelled || call.destroyed || call.writableEnded;
}

/** Resolves when the call can take more writes again, or has gone away. */
export function drained(call: Call): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      call.off('cancelled', done);
      call.off('close', done);
      resolve();
    };
    call.once('drain', done);
    call.once('cancelled', done);
    call.once('close', done);
  });
}

/** Writes every message with backpressure; stops early if the client leaves. */
export async function writeAll<T>(call: ServerWritableStream<unknown, T>, messages: Iterable<T>): Promise<void> {
  for (const message of messages) {
    if (isGone(call)) return;
    if (!call.write(message)) await drained(call);
  }
}
