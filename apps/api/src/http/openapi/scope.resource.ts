import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID, Matches, ValidateIf } from 'class-validator';
import { Scope, SCOPE_TYPES, ScopeType } from '@app/domain';

/** Azure's rule for resource group names: up to 90 letters, digits, `_-.()`, not ending in a period. */
const RESOURCE_GROUP_NAME = /^[\p{L}\p{N}_\-.()]{0,89}[\p{L}\p{N}_\-()]$/u;
/** Azure's rule for management group ids: up to 90 letters, digits, `_-.()`, not ending in a period. */
const MANAGEMENT_GROUP_ID = /^[A-Za-z0-9_\-.()]{0,89}[A-Za-z0-9_\-()]$/;
const AZURE_NAME = { message: '$property must be 1 to 90 letters, digits or _-.() and must not end in a period' };

export const IsResourceGroupName = () => Matches(RESOURCE_GROUP_NAME, AZURE_NAME);
export const IsManagementGroupId = () => Matches(MANAGEMENT_GROUP_ID, AZURE_NAME);

const SCOPE_DESCRIPTION =
  'Where the discount applies, narrowest first: resourceGroup (one resource group of one subscription), single (one subscription), ' +
  'managementGroup (the customer’s subscriptions in one management group) or shared (all of the customer’s subscriptions)';

/** Where a reservation's discount applies. */
export class ScopeResource {
  @ApiProperty({ enum: SCOPE_TYPES, description: SCOPE_DESCRIPTION }) type: ScopeType;
  @ApiPropertyOptional({ format: 'uuid', description: 'For a single or resourceGroup scope' }) subscriptionId?: string;
  @ApiPropertyOptional({ example: 'rg-web', description: 'For a resourceGroup scope' }) resourceGroup?: string;
  @ApiPropertyOptional({ example: 'finance', description: 'For a managementGroup scope' }) managementGroupId?: string;
}

/** A scope as a client sends it; each type requires its own fields. */
export class ScopeRequest {
  @ApiProperty({ enum: SCOPE_TYPES, description: SCOPE_DESCRIPTION })
  @IsIn(SCOPE_TYPES)
  type: ScopeType;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Required for a single or resourceGroup scope; must be an active subscription of the customer',
  })
  @ValidateIf(
    (scope: ScopeRequest) =>
      scope.type === 'single' || scope.type === 'resourceGroup' || scope.subscriptionId !== undefined,
  )
  @IsUUID()
  subscriptionId?: string;

  @ApiPropertyOptional({
    example: 'rg-web',
    description: 'Required for a resourceGroup scope: a resource group name in that subscription',
  })
  @ValidateIf((scope: ScopeRequest) => scope.type === 'resourceGroup' || scope.resourceGroup !== undefined)
  @IsResourceGroupName()
  resourceGroup?: string;

  @ApiPropertyOptional({
    example: 'finance',
    description: 'Required for a managementGroup scope: one of the customer’s management groups',
  })
  @ValidateIf((scope: ScopeRequest) => scope.type === 'managementGroup' || scope.managementGroupId !== undefined)
  @IsManagementGroupId()
  managementGroupId?: string;

  toScope(): Scope {
    switch (this.type) {
      case 'resourceGroup':
        return { type: 'resourceGroup', subscriptionId: this.subscriptionId!, resourceGroup: this.resourceGroup! };
      case 'single':
        return { type: 'single', subscriptionId: this.subscriptionId! };
      case 'managementGroup':
        return { type: 'managementGroup', managementGroupId: this.managementGroupId! };
      case 'shared':
        return { type: 'shared' };
    }
  }
}
