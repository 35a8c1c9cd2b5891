import { normalizeRegion } from '../discount/discount-engine';
import { CatalogItem, Term } from './catalog-item';
import shipped from './reserved-vm-catalog.json';

export interface CatalogQuery {
  term?: Term;
  region?: string;
  /** Matches the series ("Dsv5") or the flexibility group ("DSv5 Series"). */
  series?: string;
  /** Matches the ARM SKU name, whole or in part ("D4s" finds Standard_D4s_v5). */
  size?: string;
  minCores?: number;
  maxCores?: number;
  minRamGb?: number;
  maxRamGb?: number;
  minPriceUsd?: number;
  maxPriceUsd?: number;
  offset?: number;
  limit?: number;
}

export interface CatalogPage {
  items: CatalogItem[];
  total: number;
  offset: number;
  limit: number;
}

export const DEFAULT_PAGE_SIZE = 50;

/** The reserved VM instance catalog: reference data, read-only. */
export class Catalog {
  private readonly byId: Map<string, CatalogItem>;
  private readonly bySku = new Map<string, Pick<CatalogItem, 'flexibilityGroup' | 'ratio'>>();

  constructor(private readonly items: readonly CatalogItem[]) {
    this.byId = new Map(items.map((item) => [item.id, item]));
    for (const item of items) this.bySku.set(item.armSkuName.toLowerCase(), { flexibilityGroup: item.flexibilityGroup, ratio: item.ratio });
  }

  static shipped(): Catalog {
    return new Catalog(shipped as CatalogItem[]);
  }

  get(id: string): CatalogItem | undefined {
    return this.byId.get(id);
  }

  /** Instance size flexibility facts of a VM size, whatever the region. */
  sizeOf(armSkuName: string): Pick<CatalogItem, 'flexibilityGroup' | 'ratio'> | undefined {
    return this.bySku.get(armSkuName.toLowerCase());
  }

  /** The smallest size of a flexibility group on sale in a region for a term: the size Azure states recommendations in. */
  smallestIn(region: string, flexibilityGroup: string, term: Term): CatalogItem | undefined {
    const wanted = normalizeRegion(region);
    let smallest: CatalogItem | undefined;
    for (const item of this.items) {
      if (item.flexibilityGroup !== flexibilityGroup || item.term !== term || normalizeRegion(item.region) !== wanted) continue;
      if (!smallest || item.ratio < smallest.ratio) smallest = item;
    }
    return smallest;
  }

  query(query: CatalogQuery): CatalogPage {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const lower = (value?: string) => value?.toLowerCase();
    const series = lower(query.series);
    const size = lower(query.size);
    const matching = this.items.filter(
      (item) =>
        (!query.term || item.term === query.term) &&
        (!query.region || item.region === lower(query.region)) &&
        (!series || item.series.toLowerCase() === series || item.flexibilityGroup.toLowerCase() === series) &&
        (!size || item.armSkuName.toLowerCase().includes(size)) &&
        within(item.vCpus, query.minCores, query.maxCores) &&
        within(item.memoryGb, query.minRamGb, query.maxRamGb) &&
        within(item.unitPriceUsd, query.minPriceUsd, query.maxPriceUsd),
    );
    return { items: matching.slice(offset, offset + limit), total: matching.length, offset, limit };
  }
}

const within = (value: number, min?: number, max?: number) => (min === undefined || value >= min) && (max === undefined || value <= max);
