import { BillingPlan, CatalogItem, Term } from '../catalog/catalog-item';
import { CustomerSnapshot, isActiveSubscription } from '../customer/customer.decider';
import { checkManagementGroup } from '../customer/scope-subscriptions';
import { Decider, Message } from '../shared/decider';
import { illegalState, notFound, ruleViolated } from '../shared/domain-error';
import { lineTotal, sum } from '../shared/money';
import { sameScope, Scope, scopeSubscription } from '../shared/scope';

export const CART_LIFETIME_DAYS = 7;
export const MAX_QUANTITY = 999;
export const MAX_LINES = 50;

export interface CartLine {
  lineId: string;
  catalogItemId: string;
  armSkuName: string;
  region: string;
  term: Term;
  billingPlan: BillingPlan;
  quantity: number;
  subscriptionId: string;
  unitPriceUsd: number;
  /** Renew the reservation at expiry; on unless the partner turns it off (absent on lines added before it was asked). */
  autoRenew?: boolean;
}

export interface PurchaseRecord {
  cartId: string;
  orderId: string;
  orderNumber: string;
  purchasedAt: string;
  /** What was bought, so the order can always be rebuilt from the cart alone. */
  lines: CartLine[];
  scope: Scope;
  billingPlan: BillingPlan;
  totalUsd: number;
}

export type CartEvent =
  | Message<
      'CartCreated',
      { cartId: string; customerId: string; partnerId: string; createdAt: string; expiresAt: string }
    >
  | Message<'CartItemAdded', { cartId: string } & CartLine>
  | Message<'CartItemQuantityChanged', { cartId: string; lineId: string; quantity: number }>
  | Message<'CartItemRemoved', { cartId: string; lineId: string }>
  | Message<'CartScopeSet', { cartId: string; scope: Scope }>
  | Message<'CartPurchased', PurchaseRecord>;

export type CartCommand =
  | Message<'CreateCart', { cartId: string; customer: CustomerSnapshot; now: string }>
  | Message<
      'AddToCart',
      {
        lineId: string;
        catalogItemId: string;
        /** The catalog entry, looked up by the handler; undefined when unknown. */
        item: CatalogItem | undefined;
        quantity: number;
        subscriptionId: string;
        term: Term;
        billingPlan: BillingPlan;
        /** Defaults to on, as in Azure's purchase flow. */
        autoRenew?: boolean;
        customer: CustomerSnapshot;
        now: string;
      }
    >
  | Message<'ChangeQuantity', { lineId: string; quantity: number; now: string }>
  | Message<'RemoveFromCart', { lineId: string; now: string }>
  | Message<'SetScope', { scope: Scope; customer: CustomerSnapshot; now: string }>
  | Message<'PurchaseOrder', { orderId: string; orderNumber: string; customer: CustomerSnapshot; now: string }>;

export interface OpenCart {
  status: 'active' | 'purchased';
  cartId: string;
  customerId: string;
  partnerId: string;
  createdAt: string;
  expiresAt: string;
  lines: CartLine[];
  removedLineIds: string[];
  scope: Scope;
  orderId?: string;
  orderNumber?: string;
  purchase?: PurchaseRecord;
}

export type Cart = { status: 'none' } | OpenCart;

export const cartStream = (cartId: string) => `cart-${cartId}`;

/** A new cart's discount applies across the customer's subscriptions until told otherwise. */
export const DEFAULT_SCOPE: Scope = { type: 'shared' };

const existing = (state: Cart): OpenCart => {
  if (state.status === 'none') throw notFound('CART_NOT_FOUND', 'cart not found');
  return state;
};

/** A cart that can still change: exists, not bought, not expired. */
const editable = (state: Cart, now: string): OpenCart => {
  const cart = existing(state);
  if (cart.status === 'purchased')
    throw illegalState('CART_ALREADY_PURCHASED', `cart was already purchased as order ${cart.orderNumber}`);
  if (now >= cart.expiresAt) throw illegalState('CART_EXPIRED', `cart expired at ${cart.expiresAt}`);
  return cart;
};

const line = (cart: OpenCart, lineId: string): CartLine => {
  const found = cart.lines.find((l) => l.lineId === lineId);
  if (!found) throw notFound('CART_LINE_NOT_FOUND', `cart has no line ${lineId}`);
  return found;
};

const checkQuantity = (quantity: number) => {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw ruleViolated('INVALID_QUANTITY', `quantity must be a whole number from 1 to ${MAX_QUANTITY}`);
  }
};

/** The subscription must be the customer's own and active (Partner Center 800012). */
const checkSubscription = (customer: CustomerSnapshot, subscriptionId: string, role: string) => {
  if (!customer.subscriptions[subscriptionId]) {
    throw ruleViolated('SUBSCRIPTION_NOT_OWNED', `${role} ${subscriptionId} is not a subscription of this customer`);
  }
  if (!isActiveSubscription(customer, subscriptionId)) {
    throw ruleViolated('SUBSCRIPTION_NOT_ACTIVE', `${role} ${subscriptionId} is not active`);
  }
};

/** A scope's subscription must be the customer's and active; its management group must be one of the customer's. */
const checkScope = (customer: CustomerSnapshot, scope: Scope) => {
  const subscriptionId = scopeSubscription(scope);
  if (subscriptionId) checkSubscription(customer, subscriptionId, 'scope subscription');
  checkManagementGroup(scope, customer);
};

/** Two lines ask for the same thing; the price may have moved since, and does not count. */
const sameRequest = (a: CartLine, b: CartLine) =>
  a.catalogItemId === b.catalogItemId &&
  a.quantity === b.quantity &&
  a.subscriptionId === b.subscriptionId &&
  a.term === b.term &&
  a.billingPlan === b.billingPlan &&
  (a.autoRenew ?? true) === (b.autoRenew ?? true);

const addDays = (iso: string, days: number) => new Date(Date.parse(iso) + days * 86_400_000).toISOString();

export const cartTotal = (lines: CartLine[]) => sum(lines.map((l) => lineTotal(l.quantity, l.unitPriceUsd)));

export const cartDecider: Decider<Cart, CartCommand, CartEvent> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateCart': {
        const { cartId, customer, now } = command.data;
        if (state.status !== 'none') {
          if (state.customerId === customer.customerId) return [];
          throw illegalState('CART_ALREADY_EXISTS', `cart ${cartId} already exists`);
        }
        const data = {
          cartId,
          customerId: customer.customerId,
          partnerId: customer.partnerId,
          createdAt: now,
          expiresAt: addDays(now, CART_LIFETIME_DAYS),
        };
        return [{ type: 'CartCreated', data }];
      }

      case 'AddToCart': {
        const {
          lineId,
          catalogItemId,
          item,
          quantity,
          subscriptionId,
          term,
          billingPlan,
          autoRenew = true,
          customer,
          now,
        } = command.data;
        const cart = editable(state, now);
        if (!item) throw notFound('CATALOG_ITEM_NOT_FOUND', `catalog item ${catalogItemId} does not exist`);
        const added: CartLine = {
          lineId,
          catalogItemId,
          armSkuName: item.armSkuName,
          region: item.region,
          term,
          billingPlan,
          quantity,
          subscriptionId,
          unitPriceUsd: item.unitPriceUsd,
          autoRenew,
        };
        // Retried after the line was removed again: the add already happened once.
        if (cart.removedLineIds.includes(lineId)) return [];
        const same = cart.lines.find((l) => l.lineId === lineId);
        if (same) {
          // A retried add (same idempotency key) changes nothing.
          if (sameRequest(same, added)) return [];
          throw illegalState('CART_LINE_ALREADY_EXISTS', `cart already has a different line ${lineId}`);
        }
        checkQuantity(quantity);
        if (item.term !== term)
          throw ruleViolated('TERM_MISMATCH', `catalog item ${catalogItemId} is sold for ${item.term}, not ${term}`);
        if (!item.billingPlans.includes(billingPlan)) {
          throw ruleViolated(
            'BILLING_PLAN_NOT_OFFERED',
            `catalog item ${catalogItemId} cannot be billed ${billingPlan}`,
          );
        }
        const plan = cart.lines[0]?.billingPlan;
        if (plan && plan !== billingPlan) {
          throw ruleViolated('BILLING_PLAN_MISMATCH', `this cart is billed ${plan}; an order has one billing plan`);
        }
        if (cart.lines.length >= MAX_LINES) throw ruleViolated('CART_FULL', `a cart holds at most ${MAX_LINES} lines`);
        checkSubscription(customer, subscriptionId, 'subscription');
        return [{ type: 'CartItemAdded', data: { cartId: cart.cartId, ...added } }];
      }

      case 'ChangeQuantity': {
        const { lineId, quantity, now } = command.data;
        const cart = editable(state, now);
        const current = line(cart, lineId);
        checkQuantity(quantity);
        if (current.quantity === quantity) return [];
        return [{ type: 'CartItemQuantityChanged', data: { cartId: cart.cartId, lineId, quantity } }];
      }

      case 'RemoveFromCart': {
        const { lineId, now } = command.data;
        const cart = editable(state, now);
        if (cart.removedLineIds.includes(lineId)) return [];
        line(cart, lineId);
        return [{ type: 'CartItemRemoved', data: { cartId: cart.cartId, lineId } }];
      }

      case 'SetScope': {
        const { scope, customer, now } = command.data;
        const cart = editable(state, now);
        checkScope(customer, scope);
        if (sameScope(cart.scope, scope)) return [];
        return [{ type: 'CartScopeSet', data: { cartId: cart.cartId, scope } }];
      }

      case 'PurchaseOrder': {
        const { orderId, orderNumber, customer, now } = command.data;
        // Checkout is idempotent per cart: buying it again returns the first order.
        if (state.status === 'purchased') return [];
        const cart = editable(state, now);
        if (!Object.values(customer.subscriptions).some((s) => s.status === 'active')) {
          throw ruleViolated('NO_ACTIVE_SUBSCRIPTION', 'the customer needs an active subscription before buying');
        }
        if (cart.lines.length === 0) throw ruleViolated('CART_EMPTY', 'an empty cart cannot be bought');
        for (const l of cart.lines) checkSubscription(customer, l.subscriptionId, `line ${l.lineId} subscription`);
        checkScope(customer, cart.scope);
        const data: PurchaseRecord = {
          cartId: cart.cartId,
          orderId,
          orderNumber,
          purchasedAt: now,
          lines: cart.lines,
          scope: cart.scope,
          billingPlan: cart.lines[0].billingPlan,
          totalUsd: cartTotal(cart.lines),
        };
        return [{ type: 'CartPurchased', data }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'CartCreated': {
        const { cartId, customerId, partnerId, createdAt, expiresAt } = event.data;
        return {
          status: 'active',
          cartId,
          customerId,
          partnerId,
          createdAt,
          expiresAt,
          lines: [],
          removedLineIds: [],
          scope: DEFAULT_SCOPE,
        };
      }
      case 'CartItemAdded': {
        const cart = state as OpenCart;
        const { cartId: _cartId, ...added } = event.data;
        return { ...cart, lines: [...cart.lines, added] };
      }
      case 'CartItemQuantityChanged': {
        const cart = state as OpenCart;
        const { lineId, quantity } = event.data;
        return { ...cart, lines: cart.lines.map((l) => (l.lineId === lineId ? { ...l, quantity } : l)) };
      }
      case 'CartItemRemoved': {
        const cart = state as OpenCart;
        const { lineId } = event.data;
        return {
          ...cart,
          lines: cart.lines.filter((l) => l.lineId !== lineId),
          removedLineIds: [...cart.removedLineIds, lineId],
        };
      }
      case 'CartScopeSet':
        return { ...(state as OpenCart), scope: event.data.scope };
      case 'CartPurchased': {
        const { orderId, orderNumber } = event.data;
        return { ...(state as OpenCart), status: 'purchased', orderId, orderNumber, purchase: event.data };
      }
    }
  },
};
