import { Projection } from '../projection';
import { cartsProjection } from './carts/carts.projection';
import { costsProjection } from './costs/costs.projection';
import { customersProjection } from './customers/customers.projection';
import { orderHistoryProjection } from './order-history/order-history.projection';
import { reservationsProjection } from './reservations/reservations.projection';
import { statementsProjection } from './statements/statements.projection';

export const ALL_PROJECTIONS: readonly Projection[] = [
  cartsProjection,
  orderHistoryProjection,
  customersProjection,
  reservationsProjection,
  costsProjection,
  statementsProjection,
];

export function projectionNamed(name: string): Projection {
  const found = ALL_PROJECTIONS.find((projection) => projection.name === name);
  if (!found) throw new Error(`unknown projection "${name}"; known: ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`);
  return found;
}
