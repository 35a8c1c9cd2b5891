import { CatalogItem, normalizeRegion, Term, TERM_MONTHS } from './catalog-item';
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

/** A dated change to one item: a new price, or its withdrawal from sale (`withdrawn: false` puts it back). */
export interface CatalogChange {
  catalogItemId: string;
  /** The instant it takes effect. */
  from: string;
  unitPriceUsd?: number;
  withdrawn?: boolean;
}

export const DEFAULT_PAGE_SIZE = 50;

const roundCents = (usd: number) => Math.round(usd * 100) / 100;

/**
 * The reserved VM instance catalog: reference data, read-only, that changes
 * over time. Prices and withdrawals take effect at their instant, so every
 * question about what is sold, and at what price, names the instant it asks
 * about (the Clock's now, a renewal's expiry, a refund's day).
 */
export class Catalog {
  private readonly byId: Map<string, CatalogItem>;
  private readonly bySku = new Map<string, Pick<CatalogItem, 'flexibilityGroup' | 'ratio'>>();
  /** Each item's changes, oldest first. */
  private readonly changes = new Map<string, CatalogChange[]>();

  constructor(
    private readonly items: readonly CatalogItem[],
    changes: readonly CatalogChange[] = [],
  ) {
    this.byId = new Map(items.map((item) => [item.id, item]));
    for (const item of items)
      this.bySku.set(item.armSkuName.toLowerCase(), { flexibilityGroup: item.flexibilityGroup, ratio: item.ratio });
    for (const change of [...changes].sort((a, b) => Date.parse(a.from) - Date.parse(b.from))) {
      if (!this.byId.has(change.catalogItemId))
        throw new Error(`catalog change for unknown item ${change.catalogItemId}`);
      this.changes.set(change.catalogItemId, [...(this.changes.get(change.catalogItemId) ?? []), change]);
    }
  }

  static shipped(changes: readonly CatalogChange[] = []): Catalog {
    return new Catalog(shipped as CatalogItem[], changes);
  }

  /** The item as sold at `at`, at its price then; undefined when there is no such item or it is withdrawn by then. */
  get(id: string, at: string): CatalogItem | undefined {
    const item = this.byId.get(id);
    return item && this.asOf(item, Date.parse(at));
  }

  /** Instance size flexibility facts of a VM size, whatever the region; they do not change. */
  sizeOf(armSkuName: string): Pick<CatalogItem, 'flexibilityGroup' | 'ratio'> | undefined {
    return this.bySku.get(armSkuName.toLowerCase());
  }

  /** The smallest size of a flexibility group on sale in a region for a term at `at`: the size Azure states recommendations in. */
  smallestIn(region: string, flexibilityGroup: string, term: Term, at: string): CatalogItem | undefined {
    const wanted = normalizeRegion(region);
    let smallest: CatalogItem | undefined;
    for (const item of this.onSale(Date.parse(at))) {
      if (item.flexibilityGroup !== flexibilityGroup || item.term !== term || normalizeRegion(item.region) !== wanted)
        continue;
      if (!smallest || item.ratio < smallest.ratio) smallest = item;
    }
    return smallest;
  }

  /** What is on sale at `at` and matches, a page of it. */
  query(query: CatalogQuery, at: string): CatalogPage {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const lower = (value?: string) => value?.toLowerCase();
    const series = lower(query.series);
    const size = lower(query.size);
    const matching = this.onSale(Date.parse(at)).filter(
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

  private onSale(atMs: number): CatalogItem[] {
    if (this.changes.size === 0) return [...this.items];
    return this.items.flatMap((item) => this.asOf(item, atMs) ?? []);
  }

  private asOf(item: CatalogItem, atMs: number): CatalogItem | undefined {
    const changes = this.changes.get(item.id);
    if (!changes) return item;
    let unitPriceUsd = item.unitPriceUsd;
    let withdrawn = false;
    for (const change of changes) {
      if (Date.parse(change.from) > atMs) break;
      if (change.unitPriceUsd !== undefined) unitPriceUsd = change.unitPriceUsd;
      if (change.withdrawn !== undefined) withdrawn = change.withdrawn;
    }
    if (withdrawn) return undefined;
    return unitPriceUsd === item.unitPriceUsd
      ? item
      : { ...item, unitPriceUsd, monthlyPriceUsd: roundCents(unitPriceUsd / TERM_MONTHS[item.term]) };
  }
}

const within = (value: number, min?: number, max?: number) =>
  (min === undefined || value >= min) && (max === undefined || value <= max);
