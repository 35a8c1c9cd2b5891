import { customerSnapshot } from '../../testing/customer.fixture';
import { Catalog } from '../catalog/catalog';
import { catalogItemId } from '../catalog/catalog-item';
import { CustomerSnapshot } from '../customer/customer.decider';
import { deciderSpecification } from '../../testing/decider-specification';
import { CartEvent, cartDecider, CartLine, MAX_LINES } from './cart.decider';

const spec = deciderSpecification(cartDecider);
const catalog = Catalog.shipped();
const d4sId = catalogItemId('Standard_D4s_v5', 'westeurope', 'P1Y');
const d4s = catalog.get(d4sId, '2026-11-20T09:00:00.000Z')!;
const e8sId = catalogItemId('Standard_E8s_v5', 'westeurope', 'P1Y');
const e8s = catalog.get(e8sId, '2026-11-20T09:00:00.000Z')!;

const created = '2026-11-20T09:00:00.000Z';
const now = '2026-11-21T09:00:00.000Z';
const afterExpiry = '2026-11-27T09:00:00.000Z';

const customer = customerSnapshot({ 's-1': 'active', 's-2': 'suspended' });
const withoutSubscriptions: CustomerSnapshot = { ...customer, subscriptions: {} };

const cartCreated: CartEvent = {
  type: 'CartCreated',
  data: {
    cartId: 'cart-1',
    customerId: 'c-1',
    partnerId: 'p-1',
    createdAt: created,
    expiresAt: '2026-11-27T09:00:00.000Z',
  },
};
const line1: CartLine = {
  lineId: 'l-1',
  catalogItemId: d4sId,
  armSkuName: 'Standard_D4s_v5',
  region: 'westeurope',
  term: 'P1Y',
  billingPlan: 'Upfront',
  quantity: 2,
  subscriptionId: 's-1',
  unitPriceUsd: d4s.unitPriceUsd,
  autoRenew: true,
};
const itemAdded: CartEvent = { type: 'CartItemAdded', data: { cartId: 'cart-1', ...line1 } };
const purchased: CartEvent = {
  type: 'CartPurchased',
  data: {
    cartId: 'cart-1',
    orderId: 'o-1',
    orderNumber: 'RO-2026-000001',
    purchasedAt: now,
    lines: [line1],
    scope: { type: 'shared' },
    billingPlan: 'Upfront',
    totalUsd: Math.round(2 * d4s.unitPriceUsd * 100) / 100,
  },
};

const add = (
  overrides: Partial<Extract<Parameters<typeof cartDecider.decide>[0], { type: 'AddToCart' }>['data']> = {},
) => ({
  type: 'AddToCart' as const,
  data: {
    lineId: 'l-1',
    catalogItemId: d4sId,
    item: d4s,
    quantity: 2,
    subscriptionId: 's-1',
    term: 'P1Y' as const,
    billingPlan: 'Upfront' as const,
    customer,
    now,
    ...overrides,
  },
});

describe('cart decider', () => {
  describe('CreateCart', () => {
    it('opens a cart for the customer that expires after 7 days', () =>
      spec
        .given([])
        .when({ type: 'CreateCart', data: { cartId: 'cart-1', customer, now: created } })
        .then([cartCreated]));

    it('lets a customer with no subscription open a cart', () =>
      spec
        .given([])
        .when({ type: 'CreateCart', data: { cartId: 'cart-1', customer: withoutSubscriptions, now: created } })
        .then([cartCreated]));

    it('is a no-op when repeated for the same customer', () =>
      spec
        .given([cartCreated])
        .when({ type: 'CreateCart', data: { cartId: 'cart-1', customer, now } })
        .thenNothingHappens());
  });

  describe('AddToCart', () => {
    it('adds a priced line from the catalog, to renew at expiry unless told otherwise (Azure’s purchase flow)', () => {
      spec.given([cartCreated]).when(add()).then([itemAdded]);
      spec
        .given([cartCreated])
        .when(add({ autoRenew: false }))
        .then([{ type: 'CartItemAdded', data: { cartId: 'cart-1', ...line1, autoRenew: false } }]);
    });

    it('does nothing when the same line is added again (retry)', () =>
      spec.given([cartCreated, itemAdded]).when(add()).thenNothingHappens());

    it('does not re-add a line that was added and then removed (late retry)', () =>
      spec
        .given([cartCreated, itemAdded, { type: 'CartItemRemoved', data: { cartId: 'cart-1', lineId: 'l-1' } }])
        .when(add())
        .thenNothingHappens());

    it('refuses a different line under an existing line id', () =>
      spec
        .given([cartCreated, itemAdded])
        .when(add({ quantity: 3 }))
        .thenRefuses('CART_LINE_ALREADY_EXISTS'));

    it('refuses an unknown catalog item', () =>
      spec
        .given([cartCreated])
        .when(add({ catalogItemId: 'ri-nope', item: undefined }))
        .thenRefuses('CATALOG_ITEM_NOT_FOUND'));

    it.each([0, -1, 1000, 2.5])('refuses quantity %p', (quantity) =>
      spec.given([cartCreated]).when(add({ quantity })).thenRefuses('INVALID_QUANTITY'),
    );

    it('refuses a term the item is not sold for', () =>
      spec
        .given([cartCreated])
        .when(add({ term: 'P3Y' }))
        .thenRefuses('TERM_MISMATCH'));

    it('keeps one billing plan per cart', () =>
      spec
        .given([cartCreated, itemAdded])
        .when(add({ lineId: 'l-2', catalogItemId: e8sId, item: e8s, billingPlan: 'Monthly' }))
        .thenRefuses('BILLING_PLAN_MISMATCH'));

    it('refuses a subscription of another customer', () =>
      spec
        .given([cartCreated])
        .when(add({ subscriptionId: 's-other' }))
        .thenRefuses('SUBSCRIPTION_NOT_OWNED'));

    it('refuses a suspended subscription', () =>
      spec
        .given([cartCreated])
        .when(add({ subscriptionId: 's-2' }))
        .thenRefuses('SUBSCRIPTION_NOT_ACTIVE'));

    it(`holds at most ${MAX_LINES} lines`, () => {
      const full = Array.from({ length: MAX_LINES }, (_, i): CartEvent => ({
        type: 'CartItemAdded',
        data: { cartId: 'cart-1', ...line1, lineId: `l-${i}` },
      }));
      spec
        .given([cartCreated, ...full])
        .when(add({ lineId: 'l-new' }))
        .thenRefuses('CART_FULL');
    });

    it('refuses changes to an expired cart', () =>
      spec
        .given([cartCreated])
        .when(add({ now: afterExpiry }))
        .thenRefuses('CART_EXPIRED'));

    it('refuses changes to a purchased cart', () =>
      spec
        .given([cartCreated, itemAdded, purchased])
        .when(add({ lineId: 'l-2' }))
        .thenRefuses('CART_ALREADY_PURCHASED'));

    it('refuses a cart that does not exist', () => spec.given([]).when(add()).thenRefuses('CART_NOT_FOUND'));
  });

  describe('ChangeQuantity and RemoveFromCart', () => {
    it('changes the quantity of a line', () =>
      spec
        .given([cartCreated, itemAdded])
        .when({ type: 'ChangeQuantity', data: { lineId: 'l-1', quantity: 5, now } })
        .then([{ type: 'CartItemQuantityChanged', data: { cartId: 'cart-1', lineId: 'l-1', quantity: 5 } }]));

    it('does nothing when the quantity is unchanged, and refuses an invalid one', () => {
      spec
        .given([cartCreated, itemAdded])
        .when({ type: 'ChangeQuantity', data: { lineId: 'l-1', quantity: 2, now } })
        .thenNothingHappens();
      spec
        .given([cartCreated, itemAdded])
        .when({ type: 'ChangeQuantity', data: { lineId: 'l-1', quantity: 0, now } })
        .thenRefuses('INVALID_QUANTITY');
    });

    it('refuses an unknown line', () =>
      spec
        .given([cartCreated])
        .when({ type: 'ChangeQuantity', data: { lineId: 'l-9', quantity: 1, now } })
        .thenRefuses('CART_LINE_NOT_FOUND'));

    it('removes a line, and removing it again is a no-op', () => {
      const removed: CartEvent = { type: 'CartItemRemoved', data: { cartId: 'cart-1', lineId: 'l-1' } };
      spec
        .given([cartCreated, itemAdded])
        .when({ type: 'RemoveFromCart', data: { lineId: 'l-1', now } })
        .then([removed]);
      spec
        .given([cartCreated, itemAdded, removed])
        .when({ type: 'RemoveFromCart', data: { lineId: 'l-1', now } })
        .thenNothingHappens();
      spec
        .given([cartCreated])
        .when({ type: 'RemoveFromCart', data: { lineId: 'l-9', now } })
        .thenRefuses('CART_LINE_NOT_FOUND');
    });
  });

  describe('SetScope', () => {
    it('sets a single scope on an active subscription of the customer', () =>
      spec
        .given([cartCreated])
        .when({ type: 'SetScope', data: { scope: { type: 'single', subscriptionId: 's-1' }, customer, now } })
        .then([
          { type: 'CartScopeSet', data: { cartId: 'cart-1', scope: { type: 'single', subscriptionId: 's-1' } } },
        ]));

    it('refuses a single scope on a suspended or foreign subscription', () => {
      spec
        .given([cartCreated])
        .when({ type: 'SetScope', data: { scope: { type: 'single', subscriptionId: 's-2' }, customer, now } })
        .thenRefuses('SUBSCRIPTION_NOT_ACTIVE');
      spec
        .given([cartCreated])
        .when({ type: 'SetScope', data: { scope: { type: 'single', subscriptionId: 's-x' }, customer, now } })
        .thenRefuses('SUBSCRIPTION_NOT_OWNED');
    });

    it('sets a resource-group scope in an active subscription, and refuses one in a suspended subscription', () => {
      const scope = { type: 'resourceGroup' as const, subscriptionId: 's-1', resourceGroup: 'rg-web' };
      spec
        .given([cartCreated])
        .when({ type: 'SetScope', data: { scope, customer, now } })
        .then([{ type: 'CartScopeSet', data: { cartId: 'cart-1', scope } }]);
      spec
        .given([cartCreated])
        .when({ type: 'SetScope', data: { scope: { ...scope, subscriptionId: 's-2' }, customer, now } })
        .thenRefuses('SUBSCRIPTION_NOT_ACTIVE');
    });

    it('sets a management-group scope on one of the customer’s groups, and refuses a group it does not have', () => {
      const grouped: CustomerSnapshot = {
        ...customer,
        managementGroups: { finance: { managementGroupId: 'finance', name: 'Finance' } },
      };
      const scope = { type: 'managementGroup' as const, managementGroupId: 'finance' };
      spec
        .given([cartCreated])
        .when({ type: 'SetScope', data: { scope, customer: grouped, now } })
        .then([{ type: 'CartScopeSet', data: { cartId: 'cart-1', scope } }]);
      spec
        .given([cartCreated])
        .when({ type: 'SetScope', data: { scope, customer, now } })
        .thenRefuses('MANAGEMENT_GROUP_NOT_FOUND');
    });

    it('starts shared, so setting shared again is a no-op', () =>
      spec
        .given([cartCreated])
        .when({ type: 'SetScope', data: { scope: { type: 'shared' }, customer, now } })
        .thenNothingHappens());
  });

  describe('PurchaseOrder', () => {
    const purchase = (c: CustomerSnapshot = customer, at = now) => ({
      type: 'PurchaseOrder' as const,
      data: { orderId: 'o-1', orderNumber: 'RO-2026-000001', customer: c, now: at },
    });

    it('records the purchase with lines, scope, billing plan and total', () =>
      spec.given([cartCreated, itemAdded]).when(purchase()).then([purchased]));

    it('is idempotent: buying a purchased cart again emits nothing', () =>
      spec.given([cartCreated, itemAdded, purchased]).when(purchase()).thenNothingHappens());

    it('refuses a customer without an active subscription', () =>
      spec.given([cartCreated]).when(purchase(withoutSubscriptions)).thenRefuses('NO_ACTIVE_SUBSCRIPTION'));

    it('refuses an empty cart', () => spec.given([cartCreated]).when(purchase()).thenRefuses('CART_EMPTY'));

    it('refuses when a line subscription was suspended since it was added', () => {
      const suspended: CustomerSnapshot = {
        ...customer,
        subscriptions: {
          ...customer.subscriptions,
          's-1': { ...customer.subscriptions['s-1'], status: 'suspended' },
          's-3': { subscriptionId: 's-3', name: 'x', status: 'active' },
        },
      };
      spec.given([cartCreated, itemAdded]).when(purchase(suspended)).thenRefuses('SUBSCRIPTION_NOT_ACTIVE');
    });

    it('refuses an expired cart', () =>
      spec.given([cartCreated, itemAdded]).when(purchase(customer, afterExpiry)).thenRefuses('CART_EXPIRED'));
  });
});
