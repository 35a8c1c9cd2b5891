import { createHash, randomUUID } from 'node:crypto';
import { auditLine, chainOf, unchained, ZERO_CHAIN } from './audit-line';
import { canonicalJson } from './canonical-json';
import { ChainHeads, CustomerChain } from './chain-heads';
import { customerOfStreamName, CustomerStreams } from './customer-streams';
import { AnchorList, AuditHeader, AuditTrailerBody, EXPORT_FORMAT } from './export-format';
import { AuditSigner, publicKeyFrom, signatureProblem } from './signing';
import { verifyExport } from './verify';

const customerId = '0f9c2c8e-6b1d-4d2a-9a55-2f0d9b1c7e11';
const otherId = '7a3e1f20-5c4b-4e8a-b1d2-9f6e0c3a2b44';
let position = 0n;
const event = (streamId: string, revision: number, type: string, data: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  streamId,
  revision: BigInt(revision),
  type,
  data,
  metadata: {
    partnerId: 'partner-contoso',
    timestamp: '2027-01-01T00:00:00.000Z',
    actor: 'partner-contoso/spec',
    correlationId: 'c',
    causationId: 'c',
  },
  position: (position += 100n),
  created: new Date(0),
});

describe('the audit chain', () => {
  it('is sha256 of the previous chain then the canonical JSON (RFC 8785) of the line without chain', () => {
    const line = auditLine(event(`customer-${customerId}`, 0, 'CustomerRegistered', { b: 1, a: 'x' }), ZERO_CHAIN);
    const { chain, ...rest } = line;
    expect(chain).toBe(
      createHash('sha256')
        .update(ZERO_CHAIN + canonicalJson(rest))
        .digest('hex'),
    );
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 1 }] })).toBe('{"a":[{"c":1,"d":2}],"b":1}');
    expect(chainOf(ZERO_CHAIN, unchained(line))).toBe(chain);
    expect(line).toMatchObject({ schemaVersion: 1, revision: 0, position: String(position) });
  });

  it("finds a customer's streams by name (customer, refund ledger, usage discounts) or by their first event (carts, orders, exchanges), and never shared ones", () => {
    expect(customerOfStreamName(`discount-${customerId}-20270101`)).toBe(customerId);
    expect(customerOfStreamName(`refund-ledger-${customerId}`)).toBe(customerId);
    expect(customerOfStreamName('order-numbers-2027')).toBeUndefined();
    const streams = new CustomerStreams(customerId);
    expect(streams.customerOf(event('cart-1', 0, 'CartCreated', { customerId }))).toBe(customerId);
    expect(streams.customerOf(event('cart-1', 1, 'CartItemAdded', {}))).toBe(customerId);
    expect(streams.customerOf(event('cart-2', 0, 'CartCreated', { customerId: otherId }))).toBeUndefined();
    expect(streams.customerOf(event('cart-2', 1, 'CartItemAdded', {}))).toBeUndefined();
    // A later event naming the customer does not take over another's stream.
    expect(streams.customerOf(event('order-9', 3, 'ReservationProvisioned', { customerId }))).toBeUndefined();
    expect(
      streams.customerOf(event(`audit-anchors-${customerId}`, 0, 'AuditAnchorRecorded', { customerId })),
    ).toBeUndefined();
    expect(streams.customerOf(event('sandbox-clock', 0, 'SandboxClockStarted', { customerId }))).toBeUndefined();
  });

  it('gives every customer the same head in one pass as its own chain does', () => {
    const events = [
      event(`customer-${customerId}`, 0, 'CustomerRegistered', { customerId }),
      event(`customer-${otherId}`, 0, 'CustomerRegistered', { customerId: otherId }),
      event('order-a', 0, 'OrderPlaced', { customerId }),
      event('order-b', 0, 'OrderPlaced', { customerId: otherId }),
      event('order-a', 1, 'OrderCompleted', {}),
    ];
    const heads = new ChainHeads();
    const chain = new CustomerChain(customerId);
    for (const e of events) {
      heads.push(e);
      chain.next(e);
    }
    expect(heads.heads.get(customerId)).toMatchObject({ count: 3, chain: chain.head, partnerId: 'partner-contoso' });
    expect(heads.heads.get(otherId)?.count).toBe(2);
  });
});

describe('signatures and the offline verifier', () => {
  const signer = AuditSigner.fromPem(AuditSigner.generatePem());

  function exportOf(
    events: ReturnType<typeof event>[],
    start = { count: 0, position: null as string | null, chain: ZERO_CHAIN, anchoredAt: null as string | null },
  ) {
    const header: AuditHeader = {
      kind: 'header',
      format: EXPORT_FORMAT,
      customerId,
      from: null,
      to: null,
      startsAfter: start,
    };
    const chain = new CustomerChain(customerId, start);
    const lines = events.flatMap((e) => {
      const line = chain.next(e);
      return line ? [line] : [];
    });
    const trailer: AuditTrailerBody = {
      kind: 'trailer',
      format: EXPORT_FORMAT,
      customerId,
      partnerId: 'partner-contoso',
      from: null,
      to: null,
      startsAfter: start,
      count: lines.length,
      lastChain: chain.head,
      lastPosition: lines.at(-1)?.position ?? null,
      complete: start.count === 0,
      headPosition: String(position),
      exportedAt: '2027-01-02T00:00:00.000Z',
      publicKey: signer.publicKeyDocument(),
      reservations: [],
      statements: [],
    };
    return [JSON.stringify(header), ...lines.map((line) => JSON.stringify(line)), JSON.stringify(signer.sign(trailer))];
  }
  const history = () => [
    event(`customer-${customerId}`, 0, 'CustomerRegistered', { customerId }),
    event(`customer-${customerId}`, 1, 'SubscriptionAdded', { customerId }),
    event(`refund-ledger-${customerId}`, 0, 'RefundRecorded', { customerId, amountUsd: 10 }),
    event(`refund-ledger-${customerId}`, 1, 'RefundRecorded', { customerId, amountUsd: 20 }),
  ];

  it('signs with Ed25519 over canonical JSON, and names a changed document or another key', () => {
    const signed = signer.sign({ b: 2, a: 1 });
    expect(signatureProblem(signed, signer.publicKey)).toBeUndefined();
    expect(signatureProblem({ ...signed, a: 3 } as typeof signed, signer.publicKey)).toContain(
      'does not match its content',
    );
    expect(signatureProblem(signed, publicKeyFrom(signer.publicKeyDocument().publicKey))).toBeUndefined();
    const other = AuditSigner.fromPem(AuditSigner.generatePem());
    expect(signatureProblem(signed, other.publicKey)).toContain('not the public key given');
  });

  it('verifies a clean export, and names the first line that fails', async () => {
    const lines = exportOf(history());
    expect(await verifyExport(lines, { publicKey: signer.publicKey })).toMatchObject({ ok: true, events: 4 });
    const cut = lines.slice(0, -1);
    expect((await verifyExport(cut)).failure).toEqual({ line: 6, reason: 'no trailer: the export was cut short' });
    const changed = [...lines];
    changed[3] = changed[3].replace('"amountUsd":10', '"amountUsd":11');
    expect((await verifyExport(changed)).failure?.line).toBe(4);
    const reordered = [lines[0], lines[1], lines[3], lines[2], ...lines.slice(4)];
    expect((await verifyExport(reordered)).failure?.line).toBe(3);
    const backwards = [lines[0], lines[2], lines[1], ...lines.slice(3)];
    expect((await verifyExport(backwards)).failure).toEqual({
      line: 2,
      reason: expect.stringContaining('dropped or moved'),
    });
  });

  it('checks the anchors: a history rewritten before an anchor fails at the line it counts to', async () => {
    const events = history();
    const heads = new ChainHeads();
    for (const e of events.slice(0, 3)) heads.push(e);
    const head = heads.heads.get(customerId)!;
    const anchors: AnchorList = signer.sign({
      kind: 'anchors',
      customerId,
      listedAt: '2027-01-02T00:00:00.000Z',
      anchors: [
        {
          customerId,
          count: head.count,
          position: head.position,
          chain: head.chain,
          recordedAt: '2027-01-01T00:15:00.000Z',
        },
      ],
    });
    expect(await verifyExport(exportOf(events), { publicKey: signer.publicKey, anchors })).toMatchObject({ ok: true });
    // The refund ledger rewritten: another amount, re-chained and re-signed by the deployment.
    const rewritten = history().map((e, i) => ({ ...e, position: events[i].position, id: events[i].id }));
    rewritten[2].data = { customerId, amountUsd: 99 };
    const report = await verifyExport(exportOf(rewritten), { publicKey: signer.publicKey, anchors });
    expect(report.failure).toEqual({ line: 4, reason: expect.stringContaining('rewritten after the anchor') });
    // An export that starts after the anchor chains from it, and the anchor checks its start.
    const after = exportOf(events, {
      count: head.count,
      position: head.position,
      chain: head.chain,
      anchoredAt: '2027-01-01T00:15:00.000Z',
    });
    const partial = await verifyExport(after, { publicKey: signer.publicKey, anchors });
    expect(partial).toMatchObject({ ok: true, events: 1 });
    expect(partial.checked.join('\n')).toContain('replay not compared');
    // A line removed before the anchor: the anchor's count is not met by its position.
    const dropped = exportOf(events.filter((_e, i) => i !== 1));
    expect((await verifyExport(dropped, { publicKey: signer.publicKey, anchors })).failure?.reason).toMatch(
      /events were removed|rewritten/,
    );
  });
});
