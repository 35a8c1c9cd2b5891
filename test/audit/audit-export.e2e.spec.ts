/**
 * The audit export (issue #30 §2–4), end to end: a real api and worker on the
 * sandbox clock (no instant depends on the day the test runs), a customer
 * with purchases (upfront and monthly), a return, an exchange, monthly
 * payments and renewals at expiry. An auditor key exports its history as
 * NDJSON; `npm run audit:verify` checks it offline, replaying it to the
 * trailer's reservations and statements. One amount changed, a line dropped
 * or two lines swapped each fail at that line; a store whose refund-ledger
 * stream was rewritten after an anchor, exported and signed by the
 * deployment as honestly as ever, fails against the anchor.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent, NO_STREAM, START } from '@eventstore/db-client';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AUDIT_ANCHORS_QUEUE, AuditAnchorRecorder, AuditTrailer, publicKeyFrom, verifyExport } from '@app/audit';
import { Clock } from '@app/clock';
import { EventStore, EventStoreConnection, EventStreams } from '@app/eventstore-client';
import { queuePrefix } from '@app/queues';
import { ApiHarness, FABRIKAM_KEY, removeKeys, startApi } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { freePort, RunningProcess, startStoreProcess, startTsProcess } from '../support/processes';

jest.setTimeout(300_000);

const START_AT = '2027-01-04T09:00:00.000Z';
const D4 = 'ri-standard_d4s_v5-westeurope-p1y';
const D8 = 'ri-standard_d8s_v5-westeurope-p1y';
const AUDITOR = 'demo-key-contoso-auditor';

describe('the audit export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-export-'));
  const keyFile = join(dir, 'audit-signing-key.pem');
  let api: ApiHarness;
  let worker: RunningProcess;
  let customerId: string;
  let subscriptionId: string;
  let exported: string;
  let exportFile: string;
  let publicKeyFile: string;
  const others: Array<{ close(): Promise<void> }> = [];
  const processes: RunningProcess[] = [];

  beforeAll(async () => {
    const env = { SANDBOX_CLOCK: 'true', SANDBOX_CLOCK_START: START_AT, AUDIT_SIGNING_KEY_FILE: keyFile };
    api = await startApi(env);
    worker = startTsProcess('apps/worker/src/main.ts', {
      ...env,
      EVENTSTORE_URL: api.app.get(EventStoreConnection).connectionString,
      REDIS_KEY_PREFIX: api.app.get(Redis).options.keyPrefix!,
      RUN_PROJECTIONS: 'false',
      LOG_LEVEL: 'warn',
      PROVISIONING_LATENCY_MS: '0',
    });
    customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Audited Ltd' } })).body.customerId;
    subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
      body: { subscriptionId, name: 'Production' },
    });
  });
  afterAll(async () => {
    await worker?.kill('SIGTERM');
    for (const proc of processes) await proc.kill('SIGTERM');
    for (const other of others) await other.close();
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function buy(
    lines: Array<{ quantity: number; billingPlan: 'Upfront' | 'Monthly'; autoRenew: boolean; catalogItemId?: string }>,
  ): Promise<string[]> {
    const cart = (await api.call('POST', `/v1/customers/${customerId}/carts`)).body.cartId;
    for (const line of lines) {
      const added = await api.call('POST', `/v1/carts/${cart}/items`, {
        body: { catalogItemId: D4, term: 'P1Y', subscriptionId, ...line },
      });
      expect(added.status).toBe(201);
    }
    const bought = await api.call('POST', `/v1/carts/${cart}/purchase`, {
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(bought.status).toBe(201);
    const order = await eventually(
      async () => {
        const answer = await api.call('GET', `/v1/orders/${bought.body.orderId}`, { consistent: false });
        return answer.body.status === 'completed' && answer.body;
      },
      30_000,
      () => worker.output(),
    );
    return order.reservationIds;
  }
  const move = async (to: string) =>
    expect((await api.call('PUT', '/v1/sandbox/clock', { body: { now: to } })).status).toBe(200);

  async function exportOf(harness: { url: string }, query = ''): Promise<string> {
    const answer = await fetch(`${harness.url}/v1/customers/${customerId}/audit-export${query}`, {
      headers: { 'x-api-key': AUDITOR },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/x-ndjson');
    return answer.text();
  }
  const verify = (text: string, options: Parameters<typeof verifyExport>[1] = {}) =>
    verifyExport(text.split('\n'), options);
  const lines = (text: string) => text.split('\n').filter((line) => line !== '');
  /** The file's line number (1-based) of the first line matching. */
  const lineOf = (text: string, match: (line: Record<string, unknown>) => boolean) =>
    lines(text).findIndex((line) => match(JSON.parse(line))) + 1;

  it('exports a customer with purchases, a return, an exchange, payments and renewals; it verifies offline and its replayed statement matches', async () => {
    const [returned, exchanged, renewed] = await buy([
      { quantity: 3, billingPlan: 'Upfront', autoRenew: false },
      { quantity: 2, billingPlan: 'Upfront', autoRenew: false },
      { quantity: 1, billingPlan: 'Upfront', autoRenew: true },
    ]);
    await buy([{ quantity: 1, billingPlan: 'Monthly', autoRenew: true }]);
    await move('2027-01-20T10:00:00.000Z');
    const back = await api.call('POST', `/v1/reservations/${returned}/return`, {
      body: { quantity: 1 },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(back.status).toBe(200);
    const swap = await api.call('POST', `/v1/reservations/${exchanged}/exchange`, {
      body: { catalogItemId: D8, quantity: 1 },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(swap.status).toBe(201);
    // A year on: monthly payments on their anniversaries, renewals bought at expiry and fulfilled by the worker.
    await move('2028-01-06T10:00:00.000Z');
    // Every order placed, the renewal orders included, is fulfilled.
    const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;
    await eventually(
      async () => {
        const text = await exportOf(api);
        const renewals = count(text, /"renewalOf":/g);
        const ended = count(text, /"type":"Order(Completed|PartiallyFulfilled|Failed)"/g);
        return (
          text.includes(`"reservationId":"${renewed}"`) &&
          renewals >= 2 &&
          ended === count(text, /"type":"OrderPlaced"/g) &&
          text
        );
      },
      60_000,
      () => worker.output(),
    );

    exported = await exportOf(api);
    exportFile = join(dir, 'export.ndjson');
    writeFileSync(exportFile, exported);
    const types = new Set(lines(exported).map((line) => JSON.parse(line).type as string));
    for (const type of [
      'CustomerRegistered',
      'CartCreated',
      'CartPurchased',
      'OrderPlaced',
      'ReservationProvisioned',
      'RefundRecorded',
      'ReservationQuantityReturned',
      'ReservationExchanged',
      'ReservationPaymentRecorded',
      'ReservationRenewed',
      'ReservationExpired',
    ]) {
      expect({ type, exported: types.has(type) }).toEqual({ type, exported: true });
    }
    const trailer = JSON.parse(lines(exported).at(-1)!) as AuditTrailer;
    expect(trailer).toMatchObject({
      kind: 'trailer',
      customerId,
      partnerId: 'partner-contoso',
      complete: true,
      exportedAt: '2028-01-06T10:00:00.000Z',
    });
    expect(trailer.count).toBe(lines(exported).length - 2);
    expect(trailer.statements.map((month) => month.month)).toEqual(
      expect.arrayContaining(['2027-01', '2027-06', '2028-01']),
    );

    // The deployment's public key, as an auditor fetches it, and the CLI run as the auditor runs it.
    const key = await api.call('GET', '/v1/audit/public-key', { key: AUDITOR });
    expect(key.body.keyId).toBe(trailer.signature.keyId);
    publicKeyFile = join(dir, 'public-key.json');
    writeFileSync(publicKeyFile, JSON.stringify(key.body));
    const report = await verify(exported, { publicKey: publicKeyFrom(key.body) });
    expect(report).toMatchObject({ ok: true, events: trailer.count });
    expect(report.checked.join('\n')).toMatch(/replayed \d+ events .* match the trailer/);

    const cli = startTsProcess('tools/audit-verify.ts', {}, [exportFile, '--public-key', publicKeyFile]);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain(`OK: ${exportFile} verifies (${trailer.count} events`);
    expect(cli.output()).toMatch(/statement months match the trailer/);
  });

  it('catches one amount changed, one line dropped and two lines swapped, each at that line', async () => {
    const all = lines(exported);
    const refund = lineOf(exported, (line) => line.type === 'ReservationQuantityReturned');
    const changed = [...all];
    const event = JSON.parse(changed[refund - 1]);
    event.data.refundUsd = Math.round((event.data.refundUsd + 100) * 100) / 100;
    changed[refund - 1] = JSON.stringify(event);
    const amount = await verify(changed.join('\n'));
    expect(amount.failure).toEqual({ line: refund, reason: expect.stringContaining('this line was changed') });

    const dropped = all.filter((_line, i) => i !== refund - 1);
    expect((await verify(dropped.join('\n'))).failure).toEqual({
      line: refund,
      reason: expect.stringContaining('dropped or moved'),
    });

    const swapped = [...all];
    [swapped[refund - 1], swapped[refund]] = [swapped[refund], swapped[refund - 1]];
    expect((await verify(swapped.join('\n'))).failure?.line).toBe(refund);

    // The trailer's statement changed to match a changed line: the signature no longer holds.
    const trailer = JSON.parse(all.at(-1)!) as AuditTrailer;
    trailer.statements[0].lines[0].amountUsd += 1;
    const resigned = [...all.slice(0, -1), JSON.stringify(trailer)];
    expect(
      (await verify(resigned.join('\n'), { publicKey: publicKeyFrom(readFileSync(publicKeyFile, 'utf8')) })).failure,
    ).toEqual({
      line: all.length,
      reason: expect.stringContaining('signature does not verify'),
    });

    // And the CLI prints the line.
    const tampered = join(dir, 'tampered.ndjson');
    writeFileSync(tampered, changed.join('\n'));
    const cli = startTsProcess('tools/audit-verify.ts', {}, [tampered]);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain(`FAILED at line ${refund} of ${tampered}`);
  });

  it('a store whose refund-ledger stream was rewritten after an anchor fails against the anchor', async () => {
    // The worker's daily job, run now by a job added to its queue (as an operator would), as of the sandbox clock.
    const queue = new Queue(AUDIT_ANCHORS_QUEUE, {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: queuePrefix(api.app.get(Redis).options.keyPrefix!),
    });
    await queue.add('now', {});
    await queue.close();
    const listed = await eventually(
      async () => {
        const answer = await api.call('GET', `/v1/audit/anchors?customerId=${customerId}`, { key: AUDITOR });
        return answer.body.anchors?.length === 1 && answer;
      },
      30_000,
      () => worker.output(),
    );
    expect(listed.body.anchors[0]).toMatchObject({ recordedAt: '2028-01-06T10:00:00.000Z' });
    // Run again with nothing new: nothing recorded.
    const recorder = new AuditAnchorRecorder(api.app.get(EventStore), api.app.get(EventStreams), api.app.get(Clock));
    expect(await recorder.run()).toMatchObject({ at: '2028-01-06T10:00:00.000Z', recorded: 0, rewritten: [] });
    const anchors = listed.body;
    const publicKey = publicKeyFrom(readFileSync(publicKeyFile, 'utf8'));
    // Today's export verifies against the anchor.
    const honest = await exportOf(api);
    expect(await verify(honest, { publicKey, anchors })).toMatchObject({ ok: true });
    expect(anchors.anchors[0]).toMatchObject({ customerId, count: lines(honest).length - 2 });
    // From the anchor on: the chain starts at the anchor's head, and verifies against it; up to a date: a prefix, not replayed.
    const since = await exportOf(api, '?from=2028-01-06T10:00:00Z');
    expect(JSON.parse(lines(since)[0]).startsAfter).toEqual({
      count: anchors.anchors[0].count,
      position: anchors.anchors[0].position,
      chain: anchors.anchors[0].chain,
      anchoredAt: '2028-01-06T10:00:00.000Z',
    });
    expect(await verify(since, { publicKey, anchors })).toMatchObject({ ok: true, events: 0 });
    const until = await exportOf(api, '?to=2027-01-10');
    const untilTrailer = JSON.parse(lines(until).at(-1)!) as AuditTrailer;
    expect(untilTrailer).toMatchObject({ complete: false, to: '2027-01-10T00:00:00.000Z' });
    expect(untilTrailer.count).toBeLessThan(anchors.anchors[0].count);
    const cutShort = await verify(until, { publicKey, anchors });
    expect(cutShort.failure).toBeUndefined();
    expect(cutShort.checked.join('\n')).toContain('replay not compared');

    // A copy of the store in which the refund ledger says another amount: same streams, revisions, ids, metadata, append by append.
    const source = api.app.get(EventStoreDBClient);
    const copy = await startStoreProcess(join(dir, 'rewritten'));
    processes.push(copy.proc);
    const target = EventStoreDBClient.connectionString(copy.connectionString);
    type Batch = { stream: string; revision: bigint; events: ReturnType<typeof jsonEvent>[] };
    let batch: Batch | undefined;
    const flush = async () => {
      if (!batch) return;
      await target.appendToStream(batch.stream, batch.events, {
        expectedRevision: batch.revision === 0n ? NO_STREAM : batch.revision - 1n,
      });
      batch = undefined;
    };
    for await (const { event } of source.readAll({ fromPosition: START })) {
      if (!event || event.type.startsWith('$')) continue;
      const data = { ...(event.data as Record<string, unknown>) };
      if (event.streamId === `refund-ledger-${customerId}` && event.type === 'RefundRecorded')
        data.amountUsd = (data.amountUsd as number) + 1_000;
      const copied = jsonEvent({
        id: event.id,
        type: event.type,
        data,
        metadata: event.metadata as Record<string, unknown>,
      });
      // Events of one append sit next to each other in one stream, with one causation.
      const causation = (event.metadata as { causationId?: string }).causationId;
      if (
        batch &&
        batch.stream === event.streamId &&
        (batch.events.at(-1)!.metadata as { causationId?: string }).causationId === causation
      )
        batch.events.push(copied);
      else {
        await flush();
        batch = { stream: event.streamId, revision: event.revision, events: [copied] };
      }
    }
    await flush();
    await target.dispose();

    // The deployment, on the rewritten store, exports and signs it as honestly as ever (the same key, views rebuilt from it).
    const port = await freePort();
    const prefix = `test:${randomUUID()}:`;
    const rewrittenApi = startTsProcess('apps/api/src/main.ts', {
      EVENTSTORE_URL: copy.connectionString,
      REDIS_KEY_PREFIX: prefix,
      RUN_PROJECTIONS: 'true',
      AUDIT_SIGNING_KEY_FILE: keyFile,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
    });
    processes.unshift(rewrittenApi);
    others.push({ close: () => removeKeys(prefix) });
    const rewrittenUrl = { url: `http://127.0.0.1:${port}` };
    const rewritten = await eventually(
      async () => {
        const answer = await fetch(`${rewrittenUrl.url}/v1/customers/${customerId}/audit-export`, {
          headers: { 'x-api-key': AUDITOR },
        }).catch(() => undefined);
        return answer?.status === 200 && (await answer.text());
      },
      60_000,
      () => rewrittenApi.output(),
    );
    // Its chain and signature hold on their own: only the anchor shows the rewrite.
    expect(await verify(rewritten, { publicKey })).toMatchObject({ ok: true });
    const report = await verify(rewritten, { publicKey, anchors });
    expect(report.ok).toBe(false);
    // An anchor holds the chain's head: the rewrite shows at the line the anchor counts to (the header is line 1), and the rewritten line lies at or before it.
    expect(report.failure).toEqual({
      line: anchors.anchors[0].count + 1,
      reason: expect.stringContaining('anchor recorded at 2028-01-06T10:00:00.000Z'),
    });
    expect(report.failure!.reason).toContain('rewritten after the anchor');
    expect(lineOf(rewritten, (line) => line.stream === `refund-ledger-${customerId}`)).toBeLessThan(
      report.failure!.line,
    );

    // The same with the CLI, as the issue writes it: npm run audit:verify <file> --anchors <file>.
    const rewrittenFile = join(dir, 'rewritten.ndjson');
    const anchorsFile = join(dir, 'anchors.json');
    writeFileSync(rewrittenFile, rewritten);
    writeFileSync(anchorsFile, JSON.stringify(anchors));
    const cli = spawnSync(
      'npm',
      ['run', '--silent', 'audit:verify', rewrittenFile, '--anchors', anchorsFile, '--public-key', publicKeyFile],
      {
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain(
      `FAILED at line ${report.failure!.line} of ${rewrittenFile}: the anchor recorded at 2028-01-06T10:00:00.000Z`,
    );
  });

  it('answers another partner’s customer 404, and the audit routes only to auditor keys', async () => {
    const other = (await api.call('POST', '/v1/customers', { body: { name: 'Elsewhere' }, key: FABRIKAM_KEY })).body
      .customerId;
    expect((await api.call('GET', `/v1/customers/${other}/audit-export`, { key: AUDITOR })).status).toBe(404);
    expect((await api.call('GET', `/v1/audit/anchors?customerId=${other}`, { key: AUDITOR })).status).toBe(404);
    for (const key of ['demo-key-contoso', 'demo-key-contoso-reader']) {
      const refused = await api.call('GET', `/v1/customers/${customerId}/audit-export`, { key });
      expect([refused.status, refused.body.code, refused.body.details?.requiredRole]).toEqual([
        403,
        'ROLE_FORBIDDEN',
        'auditor',
      ]);
    }
  });
});
