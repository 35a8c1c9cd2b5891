/**
 * npm run usage:import -- usage.csv
 *
 * Sends a usage CSV to the API in batches of 10,000 records. Columns (header
 * row required, any order): customerId, subscriptionId, resourceId, region,
 * vmSize, hour, quantity, payAsYouGoRateUsd; optionally recordId,
 * resourceGroup, licenseRateUsd and spot (true/false). An empty optional cell
 * is left out.
 * Environment: API_URL (default http://127.0.0.1:3000) and API_KEY.
 * Importing the same file twice stores each record once.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const BATCH = 10_000;
const REQUIRED = [
  'customerId',
  'subscriptionId',
  'resourceId',
  'region',
  'vmSize',
  'hour',
  'quantity',
  'payAsYouGoRateUsd',
];
const NUMERIC = new Set(['quantity', 'payAsYouGoRateUsd', 'licenseRateUsd']);

async function send(url: string, key: string, records: Record<string, unknown>[], firstLine: number): Promise<number> {
  const response = await fetch(`${url}/v1/usage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ records }),
  });
  const body = (await response.json()) as {
    accepted?: number;
    message?: string;
    errors?: Array<{ field: string; messages: string[] }>;
  };
  if (response.status !== 202) {
    // Field paths name the record within the batch; map them back to CSV lines.
    const details = (body.errors ?? []).map((e) => {
      const index = /^records\.(\d+)\./.exec(e.field);
      return index ? `line ${firstLine + Number(index[1])}: ${e.messages.join('; ')}` : e.messages.join('; ');
    });
    throw new Error(
      `the API refused the batch starting at line ${firstLine} (${response.status}): ${details.length ? details.join('\n  ') : body.message}`,
    );
  }
  return body.accepted ?? 0;
}

async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error('usage: npm run usage:import -- <file.csv>');
  const url = process.env.API_URL ?? 'http://127.0.0.1:3000';
  const key = process.env.API_KEY;
  if (!key) throw new Error('set API_KEY to the partner API key');

  let header: string[] | undefined;
  let batch: Record<string, unknown>[] = [];
  let batchStart = 2;
  let line = 0;
  let accepted = 0;
  for await (const raw of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    line++;
    if (!raw.trim()) continue;
    const cells = raw.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
    if (!header) {
      header = cells;
      const missing = REQUIRED.filter((column) => !header!.includes(column));
      if (missing.length) throw new Error(`line 1: missing column(s) ${missing.join(', ')}`);
      continue;
    }
    if (cells.length !== header.length)
      throw new Error(`line ${line}: expected ${header.length} values, found ${cells.length}`);
    const record: Record<string, unknown> = {};
    header.forEach((column, i) => {
      if (!REQUIRED.includes(column) && cells[i] === '') return;
      if (column === 'spot') {
        if (cells[i] !== 'true' && cells[i] !== 'false')
          throw new Error(`line ${line}: spot must be true or false, found "${cells[i]}"`);
        record[column] = cells[i] === 'true';
        return;
      }
      if (NUMERIC.has(column)) {
        const value = Number(cells[i]);
        if (cells[i] === '' || Number.isNaN(value))
          throw new Error(`line ${line}: ${column} must be a number, found "${cells[i]}"`);
        record[column] = value;
      } else record[column] = cells[i];
    });
    if (batch.length === 0) batchStart = line;
    batch.push(record);
    if (batch.length === BATCH) {
      accepted += await send(url, key, batch, batchStart);
      process.stderr.write(`\rimported ${accepted.toLocaleString('en-US')} records`);
      batch = [];
    }
  }
  if (batch.length) accepted += await send(url, key, batch, batchStart);
  process.stderr.write('\n');
  console.log(`imported ${accepted.toLocaleString('en-US')} usage records from ${file}`);
}

main().catch((error: Error) => {
  console.error(`usage:import failed: ${error.message}`);
  process.exit(1);
});
