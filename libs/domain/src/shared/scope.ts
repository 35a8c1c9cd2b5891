/**
 * Where a reservation's discount applies, narrowest first:
 * - resourceGroup: one resource group of one subscription;
 * - single: one subscription;
 * - managementGroup: the customer's subscriptions in one management group;
 * - shared: every subscription of the customer (its billing context).
 */
export type Scope =
  | { type: 'resourceGroup'; subscriptionId: string; resourceGroup: string }
  | { type: 'single'; subscriptionId: string }
  | { type: 'managementGroup'; managementGroupId: string }
  | { type: 'shared' };

export type ScopeType = Scope['type'];

/** Azure applies a discount to the narrowest scope first: resource group, subscription, management group, shared. */
export const SCOPE_TYPES: readonly ScopeType[] = ['resourceGroup', 'single', 'managementGroup', 'shared'];

export const scopeRank = (scope: Scope) => SCOPE_TYPES.indexOf(scope.type);

/** Resource group names are case-insensitive in Azure. */
export const sameResourceGroup = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export const sameScope = (a: Scope, b: Scope): boolean => {
  switch (a.type) {
    case 'resourceGroup':
      return (
        b.type === 'resourceGroup' &&
        a.subscriptionId === b.subscriptionId &&
        sameResourceGroup(a.resourceGroup, b.resourceGroup)
      );
    case 'single':
      return b.type === 'single' && a.subscriptionId === b.subscriptionId;
    case 'managementGroup':
      return b.type === 'managementGroup' && a.managementGroupId === b.managementGroupId;
    case 'shared':
      return b.type === 'shared';
  }
};

/** The subscription a resource-group or single scope is tied to. */
export const scopeSubscription = (scope: Scope): string | undefined =>
  scope.type === 'resourceGroup' || scope.type === 'single' ? scope.subscriptionId : undefined;
