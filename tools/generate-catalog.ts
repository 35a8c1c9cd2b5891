/**
 * Writes libs/domain/src/catalog/reserved-vm-catalog.json, the reference data
 * shipped with the repo. Pay-as-you-go rates approximate Azure's Linux list
 * prices in East US; reservations are priced at the usual ~37% (1 year) and
 * ~60% (3 years) discount, adjusted per region. Run: node -r @swc-node/register tools/generate-catalog.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BILLING_PLANS, CatalogItem, catalogItemId, Term, TERM_MONTHS } from '../libs/domain/src/catalog/catalog-item';

type Size = [armSkuName: string, vCpus: number, memoryGb: number, ratio: number, paygHourlyUsd: number];

const groups: Array<{ series: string; flexibilityGroup: string; sizes: Size[] }> = [
  {
    series: 'DSv2',
    flexibilityGroup: 'DSv2 Series',
    sizes: [
      ['Standard_DS1_v2', 1, 3.5, 1, 0.073],
      ['Standard_DS2_v2', 2, 7, 2, 0.146],
      ['Standard_DS3_v2', 4, 14, 4, 0.293],
      ['Standard_DS4_v2', 8, 28, 8, 0.585],
      ['Standard_DS5_v2', 16, 56, 16, 1.17],
    ],
  },
  {
    series: 'Dv2',
    flexibilityGroup: 'Dv2 Series',
    sizes: [
      ['Standard_D1_v2', 1, 3.5, 1, 0.057],
      ['Standard_D2_v2', 2, 7, 2, 0.114],
      ['Standard_D3_v2', 4, 14, 4, 0.228],
      ['Standard_D4_v2', 8, 28, 8, 0.456],
      ['Standard_D5_v2', 16, 56, 16, 0.912],
    ],
  },
  {
    series: 'Dsv5',
    flexibilityGroup: 'DSv5 Series',
    sizes: [
      ['Standard_D2s_v5', 2, 8, 1, 0.096],
      ['Standard_D4s_v5', 4, 16, 2, 0.192],
      ['Standard_D8s_v5', 8, 32, 4, 0.384],
      ['Standard_D16s_v5', 16, 64, 8, 0.768],
      ['Standard_D32s_v5', 32, 128, 16, 1.536],
      ['Standard_D48s_v5', 48, 192, 24, 2.304],
      ['Standard_D64s_v5', 64, 256, 32, 3.072],
    ],
  },
  {
    series: 'Dv5',
    flexibilityGroup: 'Dv5 Series',
    sizes: [
      ['Standard_D2_v5', 2, 8, 1, 0.096],
      ['Standard_D4_v5', 4, 16, 2, 0.192],
      ['Standard_D8_v5', 8, 32, 4, 0.384],
      ['Standard_D16_v5', 16, 64, 8, 0.768],
      ['Standard_D32_v5', 32, 128, 16, 1.536],
    ],
  },
  {
    series: 'Esv5',
    flexibilityGroup: 'ESv5 Series',
    sizes: [
      ['Standard_E2s_v5', 2, 16, 1, 0.126],
      ['Standard_E4s_v5', 4, 32, 2, 0.252],
      ['Standard_E8s_v5', 8, 64, 4, 0.504],
      ['Standard_E16s_v5', 16, 128, 8, 1.008],
      ['Standard_E32s_v5', 32, 256, 16, 2.016],
    ],
  },
  {
    series: 'Fsv2',
    flexibilityGroup: 'FSv2 Series',
    sizes: [
      ['Standard_F2s_v2', 2, 4, 1, 0.0846],
      ['Standard_F4s_v2', 4, 8, 2, 0.169],
      ['Standard_F8s_v2', 8, 16, 4, 0.338],
      ['Standard_F16s_v2', 16, 32, 8, 0.677],
      ['Standard_F32s_v2', 32, 64, 16, 1.353],
    ],
  },
  {
    series: 'Bs',
    flexibilityGroup: 'BS Series',
    sizes: [
      ['Standard_B1s', 1, 1, 1, 0.0104],
      ['Standard_B1ms', 1, 2, 2, 0.0207],
      ['Standard_B2s', 2, 4, 4, 0.0416],
      ['Standard_B2ms', 2, 8, 8, 0.0832],
      ['Standard_B4ms', 4, 16, 16, 0.166],
      ['Standard_B8ms', 8, 32, 32, 0.333],
    ],
  },
  {
    series: 'Lsv3',
    flexibilityGroup: 'LSv3 Series',
    sizes: [
      ['Standard_L8s_v3', 8, 64, 1, 0.624],
      ['Standard_L16s_v3', 16, 128, 2, 1.248],
      ['Standard_L32s_v3', 32, 256, 4, 2.496],
    ],
  },
];

const regions: Array<[name: string, label: string, priceFactor: number]> = [
  ['eastus', 'East US', 1.0],
  ['westus2', 'West US 2', 1.0],
  ['westeurope', 'West Europe', 1.12],
  ['northeurope', 'North Europe', 1.06],
  ['southeastasia', 'Southeast Asia', 1.14],
  ['japaneast', 'Japan East', 1.2],
];

const reservedShare: Record<Term, number> = { P1Y: 0.63, P3Y: 0.4 };
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

const items: CatalogItem[] = [];
for (const { series, flexibilityGroup, sizes } of groups) {
  for (const [armSkuName, vCpus, memoryGb, ratio, payg] of sizes) {
    for (const [region, label, factor] of regions) {
      for (const term of ['P1Y', 'P3Y'] as Term[]) {
        const hourly = round(payg * factor, 4);
        const unitPriceUsd = round(hourly * TERM_MONTHS[term] * 730 * reservedShare[term], 2);
        items.push({
          id: catalogItemId(armSkuName, region, term),
          armSkuName,
          productName: `Reserved VM Instance, ${armSkuName}, ${label}, ${term === 'P1Y' ? '1 Year' : '3 Years'}`,
          region,
          series,
          flexibilityGroup,
          ratio,
          vCpus,
          memoryGb,
          term,
          unitPriceUsd,
          monthlyPriceUsd: round(unitPriceUsd / TERM_MONTHS[term], 2),
          payAsYouGoHourlyUsd: hourly,
          billingPlans: [...BILLING_PLANS],
        });
      }
    }
  }
}

const target = join(__dirname, '..', 'libs', 'domain', 'src', 'catalog', 'reserved-vm-catalog.json');
writeFileSync(target, `${JSON.stringify(items, null, 1)}\n`);
console.log(`wrote ${items.length} items (${items.length / 12} sizes × 6 regions × 2 terms) to ${target}`);
