/**
 * The served OpenAPI document is what upstream services generate clients
 * from: it must be valid, and every operation must say what it answers, on
 * success and on each refusal, with the headers it takes and gives.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { ApiHarness, startApi } from '../support/api-harness';

const COMMANDS = new Set(['post', 'put', 'patch', 'delete']);
/** Every /v1 operation can give these, whatever it does. */
const EVERY_V1_ERROR = ['400', '401', '429', '500', '503'];

type Operations = Array<{ name: string; method: string; path: string; operation: OpenAPIV3.OperationObject }>;

function operationsOf(document: OpenAPIV3.Document): Operations {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item ?? {})
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({
        name: `${method.toUpperCase()} ${path}`,
        method,
        path,
        operation: operation as OpenAPIV3.OperationObject,
      })),
  );
}

const schemaOf = (response: OpenAPIV3.ResponseObject) => Object.values(response.content ?? {})[0]?.schema;

/** What is missing from one operation, in words; empty when it is complete. */
function gaps({ method, path, operation }: Operations[number]): string[] {
  const responses = operation.responses as Record<string, OpenAPIV3.ResponseObject>;
  const missing: string[] = [];
  const successes = Object.entries(responses).filter(([status]) => status.startsWith('2'));
  if (successes.length === 0) missing.push('no success response');
  for (const [status, response] of successes)
    if (status !== '204' && !schemaOf(response)) missing.push(`${status} has no schema`);
  if (!path.startsWith('/v1/')) return missing;

  const expected = [
    ...EVERY_V1_ERROR,
    ...(path.includes('{') ? ['404'] : []),
    ...(COMMANDS.has(method) ? ['409'] : []),
  ];
  for (const status of expected) {
    const response = responses[status];
    if (!response) missing.push(`no ${status}`);
    else if (!JSON.stringify(schemaOf(response) ?? {}).includes('ErrorBodyResource'))
      missing.push(`${status} is not the common error shape`);
    else if (!JSON.stringify(schemaOf(response)).includes('"enum"')) missing.push(`${status} lists no code`);
  }
  const headers = new Set(
    (operation.parameters as OpenAPIV3.ParameterObject[] | undefined)
      ?.filter((p) => p.in === 'header')
      .map((p) => p.name.toLowerCase()),
  );
  if (COMMANDS.has(method))
    for (const header of ['idempotency-key', 'if-match'])
      if (!headers.has(header)) missing.push(`request header ${header}`);
  for (const [status, response] of Object.entries(responses)) {
    if (!response.headers?.['X-RateLimit-Remaining']) missing.push(`${status} lacks the rate-limit headers`);
    if (['429', '503'].includes(status) && !response.headers?.['Retry-After'])
      missing.push(`${status} lacks Retry-After`);
  }
  return missing;
}

describe('the served OpenAPI document', () => {
  let api: ApiHarness;
  let document: OpenAPIV3.Document;

  beforeAll(async () => {
    api = await startApi();
    document = (await (await fetch(`${api.url}/docs-json`)).json()) as OpenAPIV3.Document;
  });
  afterAll(() => api.close());

  it('is valid OpenAPI', async () => {
    // The parser resolves references in place: it gets its own copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('documents every operation: a success schema, each error with its codes, and the headers', () => {
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThan(30);
    const incomplete = operations
      .map((operation) => ({ operation: operation.name, missing: gaps(operation) }))
      .filter(({ missing }) => missing.length > 0);
    expect(incomplete).toEqual([]);
  });

  it('finds what it looks for: a bare operation is incomplete', () => {
    const bare: OpenAPIV3.OperationObject = { responses: { '200': { description: 'ok' } } };
    expect(gaps({ name: 'POST /v1/things/{id}', method: 'post', path: '/v1/things/{id}', operation: bare })).toEqual(
      expect.arrayContaining([
        '200 has no schema',
        'no 401',
        'no 404',
        'no 409',
        'request header idempotency-key',
        'request header if-match',
      ]),
    );
  });

  it('reads views with X-Min-Position and commands with Idempotency-Key, as docs/api.md says', () => {
    const get = document.paths['/v1/carts/{cartId}']!.get!;
    expect((get.parameters as OpenAPIV3.ParameterObject[]).map((p) => p.name)).toContain('X-Min-Position');
    const purchase = document.paths['/v1/carts/{cartId}/purchase']!.post!;
    expect(Object.keys(purchase.responses)).toEqual(expect.arrayContaining(['200', '201', '409', '422']));
    expect(Object.keys((purchase.responses['201'] as OpenAPIV3.ResponseObject).headers ?? {})).toEqual(
      expect.arrayContaining(['ETag', 'X-Position', 'Location', 'Idempotent-Replayed']),
    );
  });
});
