export type Term = 'P1Y' | 'P3Y';
export type BillingPlan = 'Upfront' | 'Monthly';

export const TERMS: readonly Term[] = ['P1Y', 'P3Y'];
export const BILLING_PLANS: readonly BillingPlan[] = ['Upfront', 'Monthly'];
export const TERM_MONTHS: Record<Term, number> = { P1Y: 12, P3Y: 36 };

/** One purchasable reserved VM instance: a size in a region for a term. */
export interface CatalogItem {
  /** Stable: derived from size, region and term, never from list order. */
  id: string;
  armSkuName: string;
  productName: string;
  region: string;
  series: string;
  /** Instance size flexibility group; reservations apply across sizes in it. */
  flexibilityGroup: string;
  /** Size of this VM relative to the smallest in its group. */
  ratio: number;
  vCpus: number;
  memoryGb: number;
  term: Term;
  /** Price of one instance for the whole term, in USD. */
  unitPriceUsd: number;
  monthlyPriceUsd: number;
  payAsYouGoHourlyUsd: number;
  billingPlans: BillingPlan[];
}

/** Regions are written several ways (`West Europe`, `westeurope`, `WestEurope`); they match on this form. */
export const normalizeRegion = (region: string) => region.toLowerCase().replace(/[^a-z0-9]/g, '');

export const catalogItemId = (armSkuName: string, region: string, term: Term) =>
  `ri-${armSkuName}-${region}-${term}`.toLowerCase();
