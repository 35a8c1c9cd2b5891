import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import { checkWebhookUrl, guardedLookup, UrlPolicy, WebhookUrlRefused } from './url-guard';

export const DELIVERY_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 5;
/** What is kept of a receiver's answer. */
const MAX_RESPONSE_BYTES = 4_096;

export interface SignedRequest {
  msgId: string;
  body: string;
  /** whsec_… secrets: each signs, so a receiver holding either verifies (rotation). */
  secrets: string[];
}

export interface SendOutcome {
  /** 2xx: delivered. */
  ok: boolean;
  status?: number;
  /** Why it did not reach a 2xx: a network error, the timeout, a refused address. */
  error?: string;
  /** Refused by the SSRF guard: trying again will not help until the URL or DNS changes. */
  refused?: boolean;
}

/** The Standard Webhooks headers for a body: webhook-id, webhook-timestamp (now, for the receiver's replay window) and a signature per secret. */
export function signedHeaders({ msgId, body, secrets }: SignedRequest, at: Date): Record<string, string> {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(msgId, at, body));
  return {
    'content-type': 'application/json',
    'user-agent': 'reservation-orders-webhooks/1',
    'webhook-id': msgId,
    'webhook-timestamp': Math.floor(at.getTime() / 1000).toString(),
    'webhook-signature': signatures.join(' '),
  };
}

/**
 * POSTs a signed notification: 10 s for the whole exchange, redirects
 * followed (307/308 keep the POST; others too, as a webhook is only ever a
 * POST) up to 5, each hop checked by the SSRF policy on its URL and on the
 * address its name resolves to. The signing time is the transport's (the
 * wall clock), as receivers check it against theirs.
 */
export async function sendSigned(
  url: string,
  signed: SignedRequest,
  policy: UrlPolicy,
  timeoutMs = DELIVERY_TIMEOUT_MS,
): Promise<SendOutcome> {
  const deadline = Date.now() + timeoutMs;
  let target = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let parsed: URL;
    try {
      parsed = checkWebhookUrl(target, policy);
    } catch (error) {
      return { ok: false, error: (error as Error).message, refused: true };
    }
    const answer = await post(
      parsed,
      signedHeaders(signed, new Date()),
      signed.body,
      policy,
      Math.max(1, deadline - Date.now()),
    );
    if ('error' in answer) return { ok: false, error: answer.error, refused: answer.refused };
    const { status, location } = answer;
    if (status >= 300 && status < 400 && location) {
      target = new URL(location, parsed).href;
      continue;
    }
    return {
      ok: status >= 200 && status < 300,
      status,
      ...(status >= 200 && status < 300 ? {} : { error: `answered ${status}` }),
    };
  }
  return { ok: false, error: `more than ${MAX_REDIRECTS} redirects` };
}

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  policy: UrlPolicy,
  timeoutMs: number,
): Promise<{ status: number; location?: string } | { error: string; refused?: boolean }> {
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (value: { status: number; location?: string } | { error: string; refused?: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body).toString() },
        lookup: guardedLookup(policy),
        agent: false,
      },
      (response: IncomingMessage) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) response.destroy();
        });
        const done = () => finish({ status: response.statusCode ?? 0, location: response.headers.location });
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish({ error: `no answer within ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
    request.on('error', (error) => {
      const refused = error instanceof WebhookUrlRefused || (error as { name?: string }).name === 'WebhookUrlRefused';
      finish({ error: error.message, refused });
    });
    request.end(body);
  });
}
