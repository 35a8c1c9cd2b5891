import { readFileSync } from 'node:fs';
import { Catalog, CatalogChange } from '@app/domain';

/**
 * The catalog as shipped, with the dated changes in CATALOG_CHANGES_FILE:
 * Microsoft's price changes and withdrawals, each taking effect at its
 * instant on the Clock. A file that does not parse, or names an item the
 * catalog lacks, stops the process with the entry at fault.
 */
export function catalogWithChanges(file?: string): Catalog {
  if (!file) return Catalog.shipped();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`CATALOG_CHANGES_FILE ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(parsed)) throw new Error(`CATALOG_CHANGES_FILE ${file}: expected a JSON array of changes`);
  const changes = parsed.map((entry: unknown, i): CatalogChange => {
    const change = entry as Partial<CatalogChange>;
    const valid =
      typeof change?.catalogItemId === 'string' &&
      typeof change.from === 'string' &&
      !Number.isNaN(Date.parse(change.from)) &&
      (change.unitPriceUsd === undefined || (typeof change.unitPriceUsd === 'number' && change.unitPriceUsd > 0)) &&
      (change.withdrawn === undefined || typeof change.withdrawn === 'boolean') &&
      (change.unitPriceUsd !== undefined || change.withdrawn !== undefined);
    if (!valid) {
      throw new Error(
        `CATALOG_CHANGES_FILE ${file}, entry ${i}: expected {catalogItemId, from (ISO 8601), unitPriceUsd > 0 and/or withdrawn: boolean}, got ${JSON.stringify(entry)}`,
      );
    }
    return {
      catalogItemId: change.catalogItemId!,
      from: new Date(change.from!).toISOString(),
      unitPriceUsd: change.unitPriceUsd,
      withdrawn: change.withdrawn,
    };
  });
  try {
    return Catalog.shipped(changes);
  } catch (error) {
    throw new Error(`CATALOG_CHANGES_FILE ${file}: ${(error as Error).message}`, { cause: error });
  }
}
