import { Catalog } from './catalog';
import { catalogItemId } from './catalog-item';

describe('reserved VM instance catalog', () => {
  const catalog = Catalog.shipped();

  it('ships at least 40 sizes across 6 regions, each in both terms', () => {
    const all = catalog.query({ limit: 10_000 }).items;
    expect(new Set(all.map((i) => i.armSkuName)).size).toBeGreaterThanOrEqual(40);
    expect(new Set(all.map((i) => i.region)).size).toBe(6);
    expect(all.filter((i) => i.term === 'P1Y')).toHaveLength(all.length / 2);
    expect(new Set(all.map((i) => i.id)).size).toBe(all.length);
  });

  it('keeps ids stable: derived from size, region and term', () => {
    const item = catalog.get(catalogItemId('Standard_D4s_v5', 'westeurope', 'P3Y'))!;
    expect(item).toMatchObject({ armSkuName: 'Standard_D4s_v5', region: 'westeurope', term: 'P3Y', ratio: 2, vCpus: 4, memoryGb: 16 });
  });

  it('filters by term, region, series, size, cores, RAM and price together', () => {
    const page = catalog.query({ term: 'P1Y', region: 'eastus', series: 'DSv5 Series', minCores: 4, maxCores: 16, minRamGb: 32 });
    expect(page.items.map((i) => i.armSkuName)).toEqual(['Standard_D8s_v5', 'Standard_D16s_v5']);
    expect(page.items.every((i) => i.term === 'P1Y' && i.region === 'eastus')).toBe(true);

    const bySize = catalog.query({ size: 'ds4_v2', region: 'japaneast' });
    expect(bySize.items.map((i) => i.term)).toEqual(['P1Y', 'P3Y']);

    const cheap = catalog.query({ maxPriceUsd: 100 });
    expect(cheap.total).toBeGreaterThan(0);
    expect(cheap.items.every((i) => i.unitPriceUsd <= 100)).toBe(true);
  });

  it('pages through results without overlap', () => {
    const first = catalog.query({ region: 'westus2', limit: 20 });
    const second = catalog.query({ region: 'westus2', offset: 20, limit: 20 });
    expect(first.total).toBe(82);
    expect(first.items).toHaveLength(20);
    expect(new Set([...first.items, ...second.items].map((i) => i.id)).size).toBe(40);
  });

  it('knows the flexibility group and ratio of a size for the discount rules', () => {
    expect(catalog.sizeOf('standard_ds4_v2')).toEqual({ flexibilityGroup: 'DSv2 Series', ratio: 8 });
    expect(catalog.sizeOf('Standard_Unknown')).toBeUndefined();
  });
});
