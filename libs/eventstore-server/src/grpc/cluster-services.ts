import { randomUUID } from 'node:crypto';
import { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { featuresPb, gossipPb, sharedPb } from './generated';
import { uuid } from './messages';

/** The server version we answer as; the client gates some features on it. */
export const SERVER_VERSION = '23.10.0';

const SUPPORTED: Array<[service: string, methods: string[]]> = [
  ['event_store.client.streams.streams', ['read', 'append', 'batchappend', 'delete', 'tombstone']],
  ['event_store.client.server_features.serverfeatures', ['getsupportedmethods']],
  ['event_store.client.gossip.gossip', ['read']],
];

/** Advertising BatchAppend here is what makes the client use it. */
export function serverFeaturesService(): UntypedServiceImplementation {
  return {
    getSupportedMethods: (
      _call: ServerUnaryCall<sharedPb.Empty, featuresPb.SupportedMethods>,
      callback: sendUnaryData<featuresPb.SupportedMethods>,
    ) => {
      const supported = new featuresPb.SupportedMethods();
      supported.setEventStoreServerVersion(SERVER_VERSION);
      supported.setMethodsList(
        SUPPORTED.flatMap(([service, methods]) =>
          methods.map((name) => {
            const method = new featuresPb.SupportedMethod();
            method.setServiceName(service);
            method.setMethodName(name);
            return method;
          }),
        ),
      );
      callback(null, supported);
    },
  };
}

/** A one-member cluster, so `esdb+discover://` connection strings work too. */
export function gossipService(address: () => { host: string; port: number }): UntypedServiceImplementation {
  const instanceId = randomUUID();
  return {
    read: (
      _call: ServerUnaryCall<sharedPb.Empty, gossipPb.ClusterInfo>,
      callback: sendUnaryData<gossipPb.ClusterInfo>,
    ) => {
      const endpoint = new gossipPb.EndPoint();
      endpoint.setAddress(address().host);
      endpoint.setPort(address().port);
      const member = new gossipPb.MemberInfo();
      member.setInstanceId(uuid(instanceId));
      member.setTimeStamp(String(BigInt(Date.now()) * 10_000n));
      member.setState(gossipPb.MemberInfo.VNodeState.LEADER);
      member.setIsAlive(true);
      member.setHttpEndPoint(endpoint);
      const info = new gossipPb.ClusterInfo();
      info.setMembersList([member]);
      callback(null, info);
    },
  };
}
