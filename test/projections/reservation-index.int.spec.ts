/**
 * Passes over every reservation an index lists, against the local Redis:
 * page after page, ties included, nothing skipped or repeated.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  eachReservationIn,
  INITIAL_GENERATION,
  RESERVATIONS,
  reservationKeys,
  viewKeys,
  ViewReader,
} from '@app/projections';
import { provisionedReservation } from '../../libs/domain/testing/reservation.fixture';
import { scanKeys } from '@app/redis';

describe('eachReservationIn', () => {
  let redis: Redis;

  beforeEach(() => {
    redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `test:${randomUUID()}:` });
  });
  afterEach(async () => {
    for (const key of await scanKeys(redis, '*')) await redis.unlink(key);
    await redis.quit();
  });

  it('lists every reservation in the range, highest score first, across pages and ties', async () => {
    const keys = viewKeys(RESERVATIONS);
    // Expiry scores 1 to 9, three of them sharing score 5 (a page boundary falls among them).
    const scores = [1, 2, 3, 4, 5, 5, 5, 6, 7, 8, 9];
    const ids = scores.map((score, i) => `r-${String(i).padStart(2, '0')}-${score}`);
    for (const [i, id] of ids.entries()) {
      const state = {
        ...provisionedReservation({ reservationId: id }),
        status: 'Succeeded',
        autoRenew: false,
        history: [],
        scopePeriods: [],
      };
      await redis.set(
        keys.key(INITIAL_GENERATION, reservationKeys.reservation(id)),
        JSON.stringify({ state, revision: 0 }),
      );
      await redis.zadd(keys.key(INITIAL_GENERATION, reservationKeys.byExpiry), scores[i], id);
    }

    const seen: string[] = [];
    for await (const reservation of eachReservationIn(
      new ViewReader(redis),
      reservationKeys.byExpiry,
      { minScore: 3 },
      2,
    ))
      seen.push(reservation.reservationId);

    const expected = ids
      .filter((_, i) => scores[i] >= 3)
      .sort((a, b) => Number(b.split('-')[2]) - Number(a.split('-')[2]) || (a < b ? 1 : -1));
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(9);
  });
});
