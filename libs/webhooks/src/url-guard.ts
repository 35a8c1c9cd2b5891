import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may post. In production: https only, and never to an
 * address that is loopback, link-local (cloud metadata included), private,
 * shared (CGNAT), unspecified, multicast or reserved: checked on the address
 * the name resolves to, at connection time, for the URL and each redirect.
 * Outside production, plain http and loopback (127.0.0.1, ::1) are allowed
 * for local receivers; every other refused range stays refused.
 */
export interface UrlPolicy {
  production: boolean;
}

export class WebhookUrlRefused extends Error {
  constructor(
    readonly code: 'WEBHOOK_URL_NOT_HTTPS' | 'WEBHOOK_URL_INVALID' | 'WEBHOOK_ADDRESS_REFUSED',
    message: string,
  ) {
    super(message);
    this.name = 'WebhookUrlRefused';
  }
}

const refusedV4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this" network, unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT); 100.100.100.200 is a cloud metadata address
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local: 169.254.169.254 is the cloud metadata service
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];
const refusedV6: Array<[string, number]> = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 of v4 addresses
  ['fc00::', 7], // unique local (private); fd00:ec2::254 is AWS's metadata address
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['2001:db8::', 32], // documentation
];
const blocked = new BlockList();
for (const [network, prefix] of refusedV4) blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of refusedV6) blocked.addSubnet(network, prefix, 'ipv6');

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** v4 addresses written as v6 (::ffff:a.b.c.d) are judged as the v4 address they are. */
function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why an address may not be posted to under the policy; undefined when it may. */
export function addressRefusal(address: string, policy: UrlPolicy): string | undefined {
  const { address: plain, family } = normalise(address.replace(/^\[|\]$/g, ''));
  if (!policy.production && loopback.check(plain, family)) return undefined;
  if (blocked.check(plain, family)) return `${plain} is a loopback, link-local, private, metadata or reserved address`;
  return undefined;
}

/** The URL's form: absolute http(s), no credentials, https in production; a literal address is judged at once. */
export function checkWebhookUrl(raw: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlRefused('WEBHOOK_URL_INVALID', `${raw} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new WebhookUrlRefused('WEBHOOK_URL_INVALID', 'a webhook URL is http(s)');
  if (policy.production && url.protocol !== 'https:')
    throw new WebhookUrlRefused('WEBHOOK_URL_NOT_HTTPS', 'webhooks are delivered over https only');
  if (url.username || url.password)
    throw new WebhookUrlRefused('WEBHOOK_URL_INVALID', 'a webhook URL carries no credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const refusal = addressRefusal(host, policy);
    if (refusal) throw new WebhookUrlRefused('WEBHOOK_ADDRESS_REFUSED', refusal);
  } else if (policy.production && (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal'))) {
    throw new WebhookUrlRefused('WEBHOOK_ADDRESS_REFUSED', `${host} is not a public host`);
  }
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that refuses what the name resolves to when
 * the policy does: the check is on the address the socket then connects to,
 * so a name that resolves to a public address when registered and to a
 * private one at delivery (DNS rebinding) is still refused.
 */
export function guardedLookup(policy: UrlPolicy) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses;
      for (const { address } of list) {
        const refusal = addressRefusal(address, policy);
        if (refusal)
          return callback(
            Object.assign(new WebhookUrlRefused('WEBHOOK_ADDRESS_REFUSED', `${hostname} resolves to ${refusal}`), {
              code: 'EREFUSED',
            }),
            [],
          );
      }
      const all = (options as { all?: boolean }).all;
      if (all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
