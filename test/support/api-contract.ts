import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIV3 } from 'openapi-types';

/** Headers that are part of the contract: an answer that carries one its route does not document is a violation. */
const CONTRACT_HEADERS = [
  'etag',
  'x-position',
  'retry-after',
  'idempotent-replayed',
  'location',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
];
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface Route {
  path: string;
  pattern: RegExp;
  item: OpenAPIV3.PathItemObject;
}

/**
 * The served OpenAPI document as a checker of real answers: the body against
 * the schema of its route and status (with ajv), and the headers against the
 * headers documented there. The harness checks every answer with it, so a
 * route that drifts from its documentation fails the test that called it.
 */
export class ApiContract {
  private readonly validators = new Map<string, ValidateFunction>();
  // OpenAPI 3.0 schemas carry keywords JSON Schema does not know (example, nullable): not strict.
  private readonly ajv = addFormats(new Ajv({ strict: false, allErrors: true }));

  private constructor(private readonly routes: Route[]) {}

  static async served(url: string): Promise<ApiContract> {
    const document = (await SwaggerParser.dereference(
      (await (await fetch(`${url}/docs-json`)).json()) as never,
    )) as OpenAPIV3.Document;
    const routes = Object.entries(document.paths).map(([path, item]) => ({
      path,
      item: item!,
      pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
    // A literal segment wins over a parameter: /v1/reservations/merge before /v1/reservations/{reservationId}.
    routes.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
    return new ApiContract(routes);
  }

  /** What is wrong with an answer, in words; empty when it matches, or when the route is not in the document. */
  violations(method: string, url: string, status: number, headers: Headers, body: unknown): string[] {
    const path = new URL(url, 'http://x').pathname;
    const lower = method.toLowerCase() as Method;
    const route = this.routes.find((candidate) => candidate.pattern.test(path) && candidate.item[lower]);
    if (!route) return [];
    const name = `${method.toUpperCase()} ${route.path}`;
    const responses = route.item[lower]!.responses as Record<string, OpenAPIV3.ResponseObject>;
    // Not described yet (no ApiCommand or ApiRead): test/contracts/openapi.e2e.spec.ts names it until it is.
    if (!responses['401']) return [];
    const response = responses[String(status)] ?? responses.default;
    if (!response)
      return [`${name} does not document status ${status} (it documents ${Object.keys(responses).join(', ')})`];

    const found: string[] = [];
    const schema = response.content?.['application/json']?.schema;
    const contentType = headers.get('content-type') ?? '';
    if (schema && contentType.includes('json')) {
      const validate = this.validator(`${name} ${status}`, schema);
      if (!validate(body))
        found.push(
          ...(validate.errors ?? []).map(
            (error) => `body${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`,
          ),
        );
    } else if (!response.content && body !== undefined && body !== '') {
      found.push(`${status} documents no body, but one came`);
    }

    const documented = Object.fromEntries(
      Object.entries(response.headers ?? {}).map(([header, spec]) => [
        header.toLowerCase(),
        spec as OpenAPIV3.HeaderObject,
      ]),
    );
    for (const [header, spec] of Object.entries(documented)) {
      const value = headers.get(header);
      if (value === null) {
        if (spec.required) found.push(`header ${header} is required`);
        continue;
      }
      const headerSchema = spec.schema as OpenAPIV3.SchemaObject | undefined;
      if (!headerSchema) continue;
      const typed = headerSchema.type === 'integer' || headerSchema.type === 'number' ? Number(value) : value;
      const validate = this.validator(`${name} ${status} header ${header}`, headerSchema);
      if (!validate(typed))
        found.push(
          `header ${header}: ${JSON.stringify(value)} ${validate.errors?.map((error) => error.message).join('; ')}`,
        );
    }
    for (const header of CONTRACT_HEADERS)
      if (headers.has(header) && !documented[header]) found.push(`header ${header} is not documented for ${status}`);
    return found.map((violation) => `${name} → ${status}: ${violation}`);
  }

  private validator(key: string, schema: object): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) this.validators.set(key, (validate = this.ajv.compile(schema)));
    return validate;
  }
}
