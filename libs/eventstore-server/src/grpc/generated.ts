/**
 * The wire protocol comes from the pinned official client: its generated
 * service definitions and message classes. Replies must be built from these
 * exact module instances, because the generated serializers check instanceof.
 */
import { dirname } from 'node:path';
import * as streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb';
import * as streamsPb from '@eventstore/db-client/generated/streams_pb';
import * as sharedPb from '@eventstore/db-client/generated/shared_pb';
import * as statusPb from '@eventstore/db-client/generated/status_pb';
import * as codePb from '@eventstore/db-client/generated/code_pb';
import * as featuresGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import * as featuresPb from '@eventstore/db-client/generated/serverfeatures_pb';
import * as gossipGrpc from '@eventstore/db-client/generated/gossip_grpc_pb';
import * as gossipPb from '@eventstore/db-client/generated/gossip_pb';
import type * as anyPbTypes from 'google-protobuf/google/protobuf/any_pb';
import type * as emptyPbTypes from 'google-protobuf/google/protobuf/empty_pb';

// google-protobuf must be the copy the client's generated code loads, not any other.
const clientRoot = dirname(require.resolve('@eventstore/db-client/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a path resolved at run time
const fromClient = <T>(request: string): T => require(require.resolve(request, { paths: [clientRoot] })) as T;
const anyPb = fromClient<typeof anyPbTypes>('google-protobuf/google/protobuf/any_pb');
const emptyPb = fromClient<typeof emptyPbTypes>('google-protobuf/google/protobuf/empty_pb');

export {
  streamsGrpc,
  streamsPb,
  sharedPb,
  statusPb,
  codePb,
  featuresGrpc,
  featuresPb,
  gossipGrpc,
  gossipPb,
  anyPb,
  emptyPb,
};
