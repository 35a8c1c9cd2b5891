import { RecordCost, summarizeRecords } from '@app/domain';
import { EventType } from '../event-type';
import { amount, count, id, instant, listOf, record, text } from '../json-schema';
import { customerId, reservationId, subscriptionId } from './event-examples';

const hours = { type: 'number', minimum: 0 };
const utilization = listOf(
  record(
    {
      reservationId: id,
      hour: instant,
      reservedHours: { type: 'number' },
      usedHours: { type: 'number' },
      bySubscription: {
        type: 'object',
        additionalProperties: { type: 'number' },
        description: 'Used hours per subscription that used them',
      },
    },
    ['bySubscription'],
  ),
);
const subscriptionHourCost = record({
  subscriptionId: id,
  records: count(),
  quantity: hours,
  coveredHours: hours,
  payAsYouGoCostUsd: amount,
  discountedCostUsd: amount,
  savingsUsd: amount,
});
const discountedRecord = record({
  recordId: id,
  customerId: id,
  subscriptionId: id,
  hour: instant,
  quantity: hours,
  coveredHours: hours,
  payAsYouGoHours: hours,
  allocations: listOf(record({ reservationId: id, hours })),
  payAsYouGoCostUsd: amount,
  discountedCostUsd: amount,
  savingsUsd: amount,
});

/** Discounts applied to a customer's day of usage. */
export const DISCOUNT_EVENTS: EventType[] = [
  {
    type: 'DiscountApplied',
    version: 3,
    stream: 'discount-{customerId}-{yyyymmdd}',
    cause:
      'A discount job applied the reservations to a customer-day of usage: the hours whose result changed, one event for many hours (a day of big hours takes several); a rerun with the same results writes nothing',
    schema: record({
      customerId: id,
      date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'The UTC day' },
      hours: listOf(
        record({
          hour: instant,
          resultHash: text,
          subscriptions: listOf(subscriptionHourCost),
          recordCount: count(),
          utilization,
        }),
      ),
    }),
    older: {
      // Version 1 kept every record; an hour of more than about 2,000 records could not be written. Version 2 sums them per subscription.
      1: {
        schema: record({
          customerId: id,
          hour: instant,
          resultHash: text,
          records: listOf(discountedRecord),
          utilization,
        }),
        // Version 1 → 2: the records summed per subscription, exactly as the discount job sums them now.
        upcast: ({ records, ...rest }) => ({ ...rest, ...summarizeRecords(records as RecordCost[]) }),
      },
      // Version 2 held one hour, in a stream per customer-hour (`discount-{customerId}-{yyyymmddhh}`). Version 3 holds a day's changed hours.
      2: {
        schema: record({
          customerId: id,
          hour: instant,
          resultHash: text,
          subscriptions: listOf(subscriptionHourCost),
          recordCount: count(),
          utilization,
        }),
        // Version 2 → 3: the one hour as a day of one hour.
        upcast: ({ customerId, ...hour }) => ({ customerId, date: String(hour.hour).slice(0, 10), hours: [hour] }),
      },
    },
    example: {
      customerId,
      date: '2026-06-01',
      hours: [
        {
          hour: '2026-06-01T10:00:00.000Z',
          resultHash: 'kq3M…',
          subscriptions: [
            {
              subscriptionId,
              records: 3,
              quantity: 2.5,
              coveredHours: 2,
              payAsYouGoCostUsd: 0.48,
              discountedCostUsd: 0.096,
              savingsUsd: 0.384,
            },
          ],
          recordCount: 3,
          utilization: [
            {
              reservationId,
              hour: '2026-06-01T10:00:00.000Z',
              reservedHours: 2,
              usedHours: 2,
              bySubscription: { [subscriptionId]: 2 },
            },
          ],
        },
      ],
    },
  },
];
