/**
 * What operators are handed: the Grafana dashboard and the Prometheus alerts
 * in ops/ parse, and every metric they name is one the api's /metrics
 * exports; /ops/projections is a page for a person and JSON for a script.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { Redis } from 'ioredis';
import { viewKeys } from '@app/projections';
import { ApiHarness, startApi } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { ROOT } from '../support/processes';
import { projectionsPage } from '../../apps/api/src/operations/projection-status.http';

jest.setTimeout(60_000);

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
]);

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords or label names. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, '{}') // label matchers
    .replace(/\[[^\]]*\]/g, '[]') // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ''); // grouping labels
  return [...bare.matchAll(/[a-zA-Z_:][\w:]*/g)]
    .filter((match) => !KEYWORDS.has(match[0]) && !/^\s*\(/.test(bare.slice(match.index + match[0].length)))
    .map((match) => match[0]);
}

describe('operator views', () => {
  let api: ApiHarness;
  beforeAll(async () => (api = await startApi()));
  afterAll(() => api.close());

  it('reads metric names out of PromQL', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{route=~"/v1.*"}[$__rate_interval])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(metricNames('max(workers_consuming) < 1 or absent(workers_consuming)')).toEqual([
      'workers_consuming',
      'workers_consuming',
    ]);
    expect(metricNames('sum(a_total{x="y"}) / sum(b_total) > 0.01')).toEqual(['a_total', 'b_total']);
  });

  describe('ops/ files', () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'ops/grafana/reservation-orders.json'), 'utf8')) as {
      title: string;
      panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
    };
    const alerts = load(readFileSync(join(ROOT, 'ops/prometheus/alerts.yml'), 'utf8')) as {
      groups: Array<{
        name: string;
        rules: Array<{ alert: string; expr: string; for?: string; annotations: { summary: string } }>;
      }>;
    };
    const rules = alerts.groups.flatMap((group) => group.rules);
    const expressions = [
      ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
      ...rules.map((rule) => rule.expr),
    ];

    it('has a dashboard panel for each thing an operator watches', () => {
      const titles = dashboard.panels.filter((panel) => panel.type !== 'row').map((panel) => panel.title);
      expect(titles).toEqual(
        expect.arrayContaining([
          'Command rate by outcome',
          'Request latency',
          'Queue depth (waiting + delayed)',
          'Dead-letter queue',
          'Projection lag (seconds)',
          'Discount records/s',
        ]),
      );
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row'))
        expect({ panel: panel.title, targets: panel.targets?.length }).toEqual({
          panel: panel.title,
          targets: expect.any(Number),
        });
    });

    it('has an alert for each condition that needs a person', () => {
      expect(rules.map((rule) => rule.alert).sort()).toEqual([
        'FulfilmentDeadLetterNotEmpty',
        'FulfilmentJobsWaiting',
        'NoWorkerHeartbeat',
        'ProjectionLagHigh',
        'RedisMemoryHigh',
        'ServerErrors',
        'WebhookDeliveriesBehind',
      ]);
      const byName = Object.fromEntries(rules.map((rule) => [rule.alert, rule.expr]));
      expect(byName.ProjectionLagHigh).toMatch(/projection_lag_seconds.*> 30$/);
      expect(byName.FulfilmentJobsWaiting).toMatch(/queue_oldest_waiting_seconds\{queue="fulfilment"\}.*> 120$/);
      expect(byName.FulfilmentDeadLetterNotEmpty).toMatch(/queue="fulfilment-dead-letter".*> 0$/);
      expect(byName.ServerErrors).toMatch(/status_code=~"5\.\."/);
      expect(byName.RedisMemoryHigh).toMatch(/redis_memory_used_bytes \/ redis_memory_max_bytes.*>= 0\.8$/);
      expect(byName.WebhookDeliveriesBehind).toMatch(/webhook_oldest_undelivered_seconds.*> 900$/);
    });

    it('names only metrics that /metrics exports', async () => {
      // A query and a command first: counters and the latency histogram have series once something happened.
      await api.call('GET', '/v1/catalog?limit=1');
      expect((await api.call('POST', '/v1/customers', { body: { name: 'Metrics Ltd' } })).status).toBe(201);
      const scrape = await fetch(`${api.url}/metrics`);
      expect(scrape.status).toBe(200);
      const exported = new Set(
        (await scrape.text())
          .split('\n')
          .filter((line) => line && !line.startsWith('#'))
          .map((line) => line.match(/^[a-zA-Z_:][\w:]*/)![0]),
      );
      const named = new Set(expressions.flatMap(metricNames));
      expect([...named].length).toBeGreaterThanOrEqual(8);
      expect([...named].filter((name) => !exported.has(name))).toEqual([]);
    });
  });

  it('times every request in a histogram by method, route pattern and status, refusals before the handler included', async () => {
    await api.call('GET', '/v1/catalog?limit=1');
    await api.call('GET', '/v1/catalog', { key: null });
    await fetch(`${api.url}/no/such/route/${randomUUID()}`);
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/v1\/catalog",status_code="200"\} [1-9]/m,
    );
    // Refused for its key before its body was read, yet counted under its route.
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/v1\/catalog",status_code="401"\} [1-9]/m,
    );
    // A path no route serves is one label, whatever the path: the number of series stays small.
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} [1-9]/m,
    );
    expect(text).not.toMatch(/no\/such\/route/);
    expect(text).toMatch(/^workers_consuming 0$/m);
  });

  it('shows each configured partner’s share of each budget in Redis, and Redis memory against maxmemory', async () => {
    expect(
      (
        await api.call('POST', '/v1/customers', {
          body: { name: 'Budget Ltd' },
          headers: { 'idempotency-key': randomUUID() },
        })
      ).status,
    ).toBe(201);
    const text = await (await fetch(`${api.url}/metrics`)).text();
    for (const partner of ['partner-contoso', 'partner-fabrikam'])
      for (const budget of ['usage_records', 'idempotency_keys', 'cached_response_bytes'])
        expect(text).toMatch(
          new RegExp(`^partner_budget_used_ratio\\{partner="${partner}",budget="${budget}"\\} [0-9.e-]+$`, 'm'),
        );
    // One key kept, of Contoso's 100,000.
    expect(text).toMatch(
      /^partner_budget_used_ratio\{partner="partner-contoso",budget="idempotency_keys"\} 0\.00001$/m,
    );
    expect(text).toMatch(/^partner_budget_used_ratio\{partner="partner-fabrikam",budget="idempotency_keys"\} 0$/m);
    expect(Number(/^redis_memory_used_bytes (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/^redis_memory_max_bytes \d+$/m);
  });

  describe('/ops/projections', () => {
    const ops = { authorization: `Basic ${Buffer.from('ops:ops').toString('base64')}` };

    it('renders a page for a browser, listing each projection with its state and lag', async () => {
      // Once every projection runs, the page and the JSON describe the same thing.
      const json = await eventually(async () => {
        const list = (await (await fetch(`${api.url}/ops/projections`, { headers: ops })).json()) as Array<{
          name: string;
          state: string;
        }>;
        return list.length > 0 && list.every((projection) => projection.state === 'live') ? list : undefined;
      }, 20_000);
      const page = await fetch(`${api.url}/ops/projections`, {
        headers: { ...ops, accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
      });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      for (const projection of json)
        expect(html).toMatch(
          new RegExp(`<tr><td>${projection.name}</td><td><span class="\\w+">${projection.state}</span>`),
        );
      expect(html).toContain('<th>seconds behind</th>');
    });

    it('lists the reactors the workers run, found by what they report, with their error', async () => {
      const redis = api.app.get(Redis);
      const name = `reactor-${randomUUID()}`;
      const error =
        'projection x: commit failed (refused); retrying; failed 5 times in a row on the batch from OrderPlaced …';
      const status = {
        name,
        eventTypes: ['OrderPlaced'],
        state: 'live',
        owner: 'worker-1',
        resubscriptions: 0,
        error,
        updatedAt: new Date().toISOString(),
      };
      await redis.set(viewKeys(name).status('worker-1'), JSON.stringify(status), 'PX', 30_000);

      const list = (await (await fetch(`${api.url}/ops/projections`, { headers: ops })).json()) as Array<{
        name: string;
        kind: string;
        error?: string;
      }>;
      expect(list.find((row) => row.name === name)).toMatchObject({ kind: 'reactor', state: 'live', error });
      expect(list.find((row) => row.name === 'carts')).toMatchObject({ kind: 'view' });
      const html = await (
        await fetch(`${api.url}/ops/projections`, { headers: { ...ops, accept: 'text/html' } })
      ).text();
      expect(html).toContain(`<tr><td>${name} <small>(reactor)</small></td><td><span class="warn">live</span>`);
    });

    it('keeps answering JSON to scripts', async () => {
      for (const accept of [undefined, 'application/json', '*/*']) {
        const answer = await fetch(`${api.url}/ops/projections`, {
          headers: { ...ops, ...(accept ? { accept } : {}) },
        });
        expect({ accept, type: answer.headers.get('content-type') }).toEqual({
          accept,
          type: expect.stringMatching(/^application\/json/),
        });
        expect(Array.isArray(await answer.json())).toBe(true);
      }
    });

    it('escapes what it shows: an error message is text, not markup', () => {
      const html = projectionsPage([
        {
          name: 'carts',
          state: 'failed',
          error: '<script>alert(1)</script> in "CartCreated"',
          replicas: [{ owner: 'api-1<b>', state: 'failed' }],
          eventsBehind: 3,
          atLeast: false,
          secondsBehind: 1.5,
        },
      ]);
      expect(html).not.toMatch(/<script|<b>/);
      expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; in &#34;CartCreated&#34;');
      expect(html).toMatch(/<span class="bad">failed<\/span>/);
    });
  });
});
