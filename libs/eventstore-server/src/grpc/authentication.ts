import { createHash, timingSafeEqual } from 'node:crypto';
import { Metadata, ServerInterceptingCall, ServerInterceptor, status as GrpcStatus } from '@grpc/grpc-js';
import { featuresGrpc, gossipGrpc } from './generated';

export interface EmbeddedUser {
  username: string;
  password: string;
}

/** EventStoreDB serves these to anonymous callers, and the official client calls them without credentials. */
const ANONYMOUS_METHODS = new Set<string>([
  gossipGrpc.GossipService.read.path,
  featuresGrpc.ServerFeaturesService.getSupportedMethods.path,
]);

/**
 * Checks the HTTP Basic credentials in each call's `authorization` metadata
 * before any handler runs, answering as EventStoreDB does: credentials that
 * do not match a user are UNAUTHENTICATED, on every service; a call without
 * any is an anonymous one, and anonymous callers may not use streams
 * (PERMISSION_DENIED, access-denied). The client raises AccessDeniedError for both.
 */
export function authentication(users: readonly EmbeddedUser[]): ServerInterceptor {
  const known = users.map(({ username, password }) => digest(`${username}:${password}`));
  const caller = (metadata: Metadata): 'user' | 'anonymous' | 'unauthenticated' => {
    const values = metadata.get('authorization');
    if (values.length === 0) return 'anonymous';
    const basic = values.length === 1 ? /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(String(values[0])) : null;
    if (!basic) return 'unauthenticated';
    const presented = digest(Buffer.from(basic[1], 'base64').toString('utf8'));
    // Compared with every user, without stopping at a match, so the time taken says nothing about which one.
    let matched = false;
    for (const user of known) matched = timingSafeEqual(user, presented) || matched;
    return matched ? 'user' : 'unauthenticated';
  };
  return (method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, proceed) => {
            const who = caller(metadata);
            if (who === 'unauthenticated')
              return call.sendStatus({ code: GrpcStatus.UNAUTHENTICATED, details: 'Unauthenticated' });
            if (who === 'anonymous' && !ANONYMOUS_METHODS.has(method.path)) return call.sendStatus(accessDenied());
            proceed(metadata);
          },
        }),
    });
}

function accessDenied(): Parameters<ServerInterceptingCall['sendStatus']>[0] {
  const metadata = new Metadata();
  metadata.set('exception', 'access-denied');
  return { code: GrpcStatus.PERMISSION_DENIED, details: 'Access Denied', metadata };
}

/** Fixed-length digests, so timingSafeEqual compares credentials of any length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
