import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { eventViolations } from '../testing/event-validation';
import { EVENT_TYPES, EventType } from './event-types';
import { eventsMarkdown } from './events-markdown';
import { catalogDocument, upcast } from './event-catalog';
import { record, id, text, count } from './json-schema';

const DOMAIN = join(__dirname, '../../domain/src');
/** Written outside the deciders, by libs/ordering's order numbers. */
const WRITTEN_OUTSIDE_THE_DOMAIN = ['OrderNumberAllocated'];

/** Every `Message<'Type', …>` in a type alias named …Event of libs/domain: the event types the deciders can write. */
function domainEventTypes(): string[] {
  const files = readdirSync(DOMAIN, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'),
  );
  const types = new Set<string>();
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(join(DOMAIN, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node, inEvent: boolean): void => {
      const eventAlias = inEvent || (ts.isTypeAliasDeclaration(node) && node.name.text.endsWith('Event'));
      if (eventAlias && ts.isTypeReferenceNode(node) && node.typeName.getText(source) === 'Message') {
        const [first] = node.typeArguments ?? [];
        if (first && ts.isLiteralTypeNode(first) && ts.isStringLiteral(first.literal)) types.add(first.literal.text);
      }
      node.forEachChild((child) => visit(child, eventAlias));
    };
    visit(source, false);
  }
  return [...types].sort();
}

describe('the event catalog', () => {
  it('has a schema for every event type of libs/domain, and only for those', () => {
    const domain = domainEventTypes();
    expect(domain.length).toBeGreaterThan(30);
    const catalogued = new Set(EVENT_TYPES.map((entry) => entry.type));
    const missing = domain.filter((type) => !catalogued.has(type));
    // A failure here names each type to add to its aggregate's file in libs/event-catalog/src/events/; docs/events.md says how.
    expect(missing).toEqual([]);
    expect(
      [...catalogued].filter((type) => !domain.includes(type) && !WRITTEN_OUTSIDE_THE_DOMAIN.includes(type)),
    ).toEqual([]);
    expect(catalogued.size).toBe(EVENT_TYPES.length);
  });

  it('gives each type a stream, a cause, and an example its own schema accepts', () => {
    for (const entry of EVENT_TYPES) {
      expect({ type: entry.type, stream: entry.stream.length > 0, cause: entry.cause.length > 0 }).toEqual({
        type: entry.type,
        stream: true,
        cause: true,
      });
    }
    const metadata = {
      correlationId: 'c',
      causationId: 'k',
      partnerId: 'contoso',
      actor: 'contoso/demo',
      timestamp: '2026-06-01T09:30:00.000Z',
    };
    // Examples are of the current version, as writers stamp it.
    expect(
      eventViolations(
        EVENT_TYPES.map((entry) => ({
          type: entry.type,
          data: entry.example,
          metadata: { ...metadata, schemaVersion: entry.version },
        })),
      ),
    ).toEqual([]);
  });

  it('names what is wrong with an event: an unknown type, a missing or extra field, bad metadata', () => {
    const metadata = {
      correlationId: 'c',
      causationId: 'k',
      partnerId: 'contoso',
      actor: 'contoso/demo',
      timestamp: '2026-06-01T09:30:00.000Z',
    };
    const registered = EVENT_TYPES.find((entry) => entry.type === 'CustomerRegistered')!.example;
    expect(eventViolations([{ type: 'CustomerRenamed', data: {}, metadata }])).toEqual([
      expect.stringContaining('no schema for event type CustomerRenamed'),
    ]);
    expect(
      eventViolations([
        { type: 'CustomerRegistered', data: { ...registered, name: undefined, nickname: 'C' }, metadata },
      ]),
    ).toEqual([
      expect.stringContaining("must have required property 'name'"),
      expect.stringContaining('must NOT have additional properties {"additionalProperty":"nickname"}'),
    ]);
    expect(
      eventViolations([{ type: 'CustomerRegistered', data: registered, metadata: { partnerId: 'contoso' } }]),
    ).toEqual(
      expect.arrayContaining([expect.stringContaining("metadata must have required property 'correlationId'")]),
    );
  });

  it('reads an old version in the current shape, and keeps validating it against its own schema', () => {
    // A type at version 2, as a change would leave it: version 1 named the seats "count".
    const seats: EventType = {
      type: 'SeatsReserved',
      version: 2,
      stream: 'seats-{id}',
      cause: 'test',
      schema: record({ id, seats: count(1), unit: text }),
      older: {
        1: {
          schema: record({ id, count: count(1) }),
          upcast: ({ count: seats, ...rest }) => ({ ...rest, seats, unit: 'seat' }),
        },
      },
      example: { id: 'a', seats: 2, unit: 'seat' },
    };
    expect(upcast('SeatsReserved', { id: 'a', count: 2 }, 1, [seats])).toEqual({ id: 'a', seats: 2, unit: 'seat' });
    expect(upcast('SeatsReserved', { id: 'a', seats: 2, unit: 'seat' }, 2, [seats])).toEqual({
      id: 'a',
      seats: 2,
      unit: 'seat',
    });
    expect(() => upcast('SeatsReserved', { id: 'a' }, 1, [{ ...seats, older: {} }])).toThrow(
      'SeatsReserved version 1 has no upcast to version 2',
    );
    // A type at its current version reads as written.
    const placed = EVENT_TYPES.find((entry) => entry.type === 'OrderPlaced')!;
    expect(upcast('OrderPlaced', placed.example, 1)).toBe(placed.example);
  });

  it('upcasts DiscountApplied version 1 (every record) to version 2 (summed per subscription), each valid in its own version', () => {
    const metadata = {
      correlationId: 'c',
      causationId: 'k',
      partnerId: 'contoso',
      actor: 'worker/discount',
      timestamp: '2026-06-01T11:00:00.000Z',
    };
    const record = (subscriptionId: string, quantity: number, covered: number, payg: number) => ({
      recordId: `${subscriptionId}/${quantity}`,
      customerId: 'c1',
      subscriptionId,
      hour: '2026-06-01T10:00:00.000Z',
      quantity,
      coveredHours: covered,
      payAsYouGoHours: quantity - covered,
      allocations: covered > 0 ? [{ reservationId: 'r1', hours: covered }] : [],
      payAsYouGoCostUsd: payg,
      discountedCostUsd: payg * ((quantity - covered) / quantity),
      savingsUsd: payg * (covered / quantity),
    });
    // Version 1 → 2 alone, as the catalog had it when version 2 was current.
    const discountApplied = EVENT_TYPES.find((entry) => entry.type === 'DiscountApplied')!;
    const v1 = {
      customerId: 'c1',
      hour: '2026-06-01T10:00:00.000Z',
      resultHash: 'h',
      records: [record('s2', 1, 1, 0.192), record('s1', 1, 0, 0.192), record('s1', 0.5, 0.5, 0.096)],
      utilization: [{ reservationId: 'r1', hour: '2026-06-01T10:00:00.000Z', reservedHours: 2, usedHours: 1.5 }],
    };
    expect(eventViolations([{ type: 'DiscountApplied', data: v1, metadata }])).toEqual([]);
    expect(
      eventViolations([{ type: 'DiscountApplied', data: v1, metadata: { ...metadata, schemaVersion: 2 } }]),
    ).not.toEqual([]);
    const v2 = upcast('DiscountApplied', v1, 1, [
      { ...discountApplied, version: 2, older: { 1: discountApplied.older![1] } },
    ]);
    expect(v2).toEqual({
      customerId: 'c1',
      hour: '2026-06-01T10:00:00.000Z',
      resultHash: 'h',
      subscriptions: [
        {
          subscriptionId: 's1',
          records: 2,
          quantity: 1.5,
          coveredHours: 0.5,
          payAsYouGoCostUsd: 0.288,
          discountedCostUsd: 0.192,
          savingsUsd: 0.096,
        },
        {
          subscriptionId: 's2',
          records: 1,
          quantity: 1,
          coveredHours: 1,
          payAsYouGoCostUsd: 0.192,
          discountedCostUsd: 0,
          savingsUsd: 0.192,
        },
      ],
      recordCount: 3,
      utilization: v1.utilization,
    });
    expect(
      eventViolations([{ type: 'DiscountApplied', data: v2, metadata: { ...metadata, schemaVersion: 2 } }]),
    ).toEqual([]);
    // Version 2 → 3: the hour as a day of one hour; from version 1, both steps in order.
    const { customerId, ...hour } = v2 as typeof v2 & { customerId: string };
    const v3 = { customerId, date: '2026-06-01', hours: [hour] };
    expect(upcast('DiscountApplied', v2, 2)).toEqual(v3);
    expect(upcast('DiscountApplied', v1, 1)).toEqual(v3);
    expect(
      eventViolations([{ type: 'DiscountApplied', data: v3, metadata: { ...metadata, schemaVersion: 3 } }]),
    ).toEqual([]);
  });

  it('serves every version of every schema', () => {
    const document = catalogDocument();
    expect(document.events.map((entry) => entry.type)).toEqual(EVENT_TYPES.map((entry) => entry.type));
    for (const entry of document.events) expect(entry.versions[entry.version]).toBe(entry.schema);
  });

  it('is what docs/events.md says (npm run docs:events writes it)', () => {
    expect(readFileSync(join(__dirname, '../../../docs/events.md'), 'utf8')).toBe(eventsMarkdown());
  });
});
