import { Scope, scopeSubscription } from '../shared/scope';
import { CustomerSnapshot, managementGroup, managementGroupOf } from './customer.decider';

/** A management-group scope must name one of the customer's groups. */
export const checkManagementGroup = (scope: Scope, customer: CustomerSnapshot) => {
  if (scope.type === 'managementGroup') managementGroup(customer, scope.managementGroupId);
};

/** The subscriptions a scope's discount applies to now: the one named, the group's active members, or every active one. */
export const appliedSubscriptions = (scope: Scope, customer: CustomerSnapshot): string[] => {
  const single = scopeSubscription(scope);
  if (single) return [single];
  return Object.values(customer.subscriptions)
    .filter((subscription) => subscription.status === 'active')
    .filter(
      (subscription) =>
        scope.type === 'shared' ||
        (scope.type === 'managementGroup' &&
          managementGroupOf(customer, subscription.subscriptionId) === scope.managementGroupId),
    )
    .map((subscription) => subscription.subscriptionId);
};
