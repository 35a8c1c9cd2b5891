import { ApiProperty } from '@nestjs/swagger';
import { BILLING_PLANS, BillingPlan, Term, TERMS } from '@app/domain';

/** A reserved VM instance as sold: one size, region and term. */
export class CatalogItemResource {
  @ApiProperty({
    example: 'ri-standard_d4s_v5-westeurope-p1y',
    description: 'Stable: derived from size, region and term',
  })
  id: string;
  @ApiProperty({ example: 'Standard_D4s_v5' }) armSkuName: string;
  @ApiProperty({ example: 'Virtual Machines Dsv5 Series' }) productName: string;
  @ApiProperty({ example: 'westeurope' }) region: string;
  @ApiProperty({ example: 'Dsv5' }) series: string;
  @ApiProperty({ description: 'Instance size flexibility group; a reservation applies across sizes in it' })
  flexibilityGroup: string;
  @ApiProperty({ description: 'Size relative to the smallest of its group' }) ratio: number;
  @ApiProperty({ example: 4 }) vCpus: number;
  @ApiProperty({ example: 16 }) memoryGb: number;
  @ApiProperty({ enum: TERMS }) term: Term;
  @ApiProperty({ description: 'One instance for the whole term, USD' }) unitPriceUsd: number;
  @ApiProperty() monthlyPriceUsd: number;
  @ApiProperty() payAsYouGoHourlyUsd: number;
  @ApiProperty({ enum: BILLING_PLANS, isArray: true }) billingPlans: BillingPlan[];
}

export class CatalogPageResource {
  @ApiProperty({ type: [CatalogItemResource] }) items: CatalogItemResource[];
  @ApiProperty({ description: 'How many items matched the filters' }) total: number;
  @ApiProperty() offset: number;
  @ApiProperty() limit: number;
}
