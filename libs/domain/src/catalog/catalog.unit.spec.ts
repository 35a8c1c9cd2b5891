import { Catalog } from './catalog';
import { catalogItemId } from './catalog-item';

const NOW = '2026-12-01T00:00:00.000Z';

describe('reserved VM instance catalog', () => {
  const catalog = Catalog.shipped();

  it('ships at least 40 sizes across 6 regions, each in both terms', () => {
    const all = catalog.query({ limit: 10_000 }, NOW).items;
    expect(new Set(all.map((i) => i.armSkuName)).size).toBeGreaterThanOrEqual(40);
    expect(new Set(all.map((i) => i.region)).size).toBe(6);
    expect(all.filter((i) => i.term === 'P1Y')).toHaveLength(all.length / 2);
    expect(new Set(all.map((i) => i.id)).size).toBe(all.length);
  });

  it('keeps ids stable: derived from size, region and term', () => {
    const item = catalog.get(catalogItemId('Standard_D4s_v5', 'westeurope', 'P3Y'), NOW)!;
    expect(item).toMatchObject({
      armSkuName: 'Standard_D4s_v5',
      region: 'westeurope',
      term: 'P3Y',
      ratio: 2,
      vCpus: 4,
      memoryGb: 16,
    });
  });

  it('filters by term, region, series, size, cores, RAM and price together', () => {
    const page = catalog.query(
      { term: 'P1Y', region: 'eastus', series: 'DSv5 Series', minCores: 4, maxCores: 16, minRamGb: 32 },
      NOW,
    );
    expect(page.items.map((i) => i.armSkuName)).toEqual(['Standard_D8s_v5', 'Standard_D16s_v5']);
    expect(page.items.every((i) => i.term === 'P1Y' && i.region === 'eastus')).toBe(true);

    const bySize = catalog.query({ size: 'ds4_v2', region: 'japaneast' }, NOW);
    expect(bySize.items.map((i) => i.term)).toEqual(['P1Y', 'P3Y']);

    const cheap = catalog.query({ maxPriceUsd: 100 }, NOW);
    expect(cheap.total).toBeGreaterThan(0);
    expect(cheap.items.every((i) => i.unitPriceUsd <= 100)).toBe(true);
  });

  it('pages through results without overlap', () => {
    const first = catalog.query({ region: 'westus2', limit: 20 }, NOW);
    const second = catalog.query({ region: 'westus2', offset: 20, limit: 20 }, NOW);
    expect(first.total).toBe(82);
    expect(first.items).toHaveLength(20);
    expect(new Set([...first.items, ...second.items].map((i) => i.id)).size).toBe(40);
  });

  it('knows the flexibility group and ratio of a size for the discount rules', () => {
    expect(catalog.sizeOf('standard_ds4_v2')).toEqual({ flexibilityGroup: 'DSv2 Series', ratio: 8 });
    expect(catalog.sizeOf('Standard_Unknown')).toBeUndefined();
  });

  describe('over time', () => {
    const id = catalogItemId('Standard_D4s_v5', 'westeurope', 'P1Y');
    const shippedPrice = Catalog.shipped().get(id, NOW)!.unitPriceUsd;
    const changing = Catalog.shipped([
      { catalogItemId: id, from: '2027-03-01T00:00:00.000Z', withdrawn: true },
      { catalogItemId: id, from: '2027-01-01T00:00:00.000Z', unitPriceUsd: 1_234.56 },
    ]);

    it('sells at the shipped price until a change takes effect, then at its price from that instant', () => {
      expect(changing.get(id, '2026-12-31T23:59:59.999Z')!.unitPriceUsd).toBe(shippedPrice);
      expect(changing.get(id, '2027-01-01T00:00:00.000Z')).toMatchObject({
        unitPriceUsd: 1_234.56,
        monthlyPriceUsd: 102.88,
      });
    });

    it('sells nothing withdrawn: not found, not listed, not the smallest of its group', () => {
      expect(changing.get(id, '2027-03-01T00:00:00.000Z')).toBeUndefined();
      expect(
        changing.query({ size: 'D4s_v5', region: 'westeurope', term: 'P1Y' }, '2027-03-01T00:00:00.000Z').total,
      ).toBe(0);
      expect(
        changing.query({ size: 'D4s_v5', region: 'westeurope', term: 'P1Y' }, '2027-02-28T00:00:00.000Z').total,
      ).toBe(1);
      expect(changing.smallestIn('westeurope', 'DSv5 Series', 'P1Y', '2027-03-01T00:00:00.000Z')?.id).not.toBe(id);
      // A size is what it is, sold or not.
      expect(changing.sizeOf('Standard_D4s_v5')).toEqual({ flexibilityGroup: 'DSv5 Series', ratio: 2 });
    });

    it('refuses a change to an item it does not have', () =>
      expect(() => Catalog.shipped([{ catalogItemId: 'ri-nothing', from: NOW, unitPriceUsd: 1 }])).toThrow(
        /unknown item ri-nothing/,
      ));
  });
});
