import { applyDecorators, HttpStatus, Type, UseGuards } from '@nestjs/common';
import {
  ApiExtension,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiResponse,
  getSchemaPath,
  HeadersObject,
  SchemaObject,
} from '@nestjs/swagger';
import { RequiredRole, RequiresRole, ROLE_FORBIDDEN } from '../../auth/roles';
import { IF_MATCH_NOT_SUPPORTED, IfMatchNotTakenGuard } from '../if-match-not-taken.guard';
import { PRECONDITION_REQUIRED } from '../precondition.guard';
import { ErrorBodyResource } from './error-body.resource';

/**
 * One line per route says everything an integrator generating a client needs:
 * the success schema and headers, each error status with the `code` values
 * the route can give (an enum, so a generated client can switch on them),
 * and the request headers the route accepts. `test/contracts/` checks that
 * every operation says it, and that every answer the e2e suites get matches.
 */

/** Error statuses whose codes depend on the route; the others (401, 503) are the same everywhere. */
export interface RouteErrors {
  400?: readonly string[];
  404?: readonly string[];
  409?: readonly string[];
  422?: readonly string[];
  /** Budgets beside the API key's rate limit (RATE_LIMITED, on every route). */
  429?: readonly string[];
}

type Body = Type<unknown> | [Type<unknown>];

interface Success {
  /** The success status; 204 has no body. */
  status?: HttpStatus;
  type?: Body;
  description: string;
  errors?: RouteErrors;
  /** Other successes of the same route, e.g. the purchase's 200 when the cart was already bought. */
  also?: Array<{ status: HttpStatus; type?: Body; description: string }>;
}

const integer = (description: string): HeadersObject[string] => ({
  description,
  schema: { type: 'integer', minimum: 0 },
});

/** Every /v1 answer: its correlation id, and the API key's budget (see auth/rate-limit.ts). */
const RATE_LIMIT: HeadersObject = {
  'X-Correlation-Id': {
    description: 'The request’s X-Correlation-Id, or one made for it; every event it caused carries it',
    schema: { type: 'string' },
  },
  'X-RateLimit-Limit': integer('Requests this API key may make per window'),
  'X-RateLimit-Remaining': integer('Requests left in the current window'),
  'X-RateLimit-Reset': integer('Seconds until the window starts again'),
};
const RETRY_AFTER: HeadersObject = { 'Retry-After': integer('Seconds to wait before sending the same request again') };
const ETAG: HeadersObject = {
  ETag: {
    description: 'The stream revision, quoted; send it back in If-Match',
    schema: { type: 'string', pattern: '^"\\d+"$', example: '"3"' },
  },
};
const COMMAND_SUCCESS: HeadersObject = {
  'X-Position': {
    description: '$all position of the write; send it as X-Min-Position to read it back from a view',
    schema: { type: 'string', pattern: '^\\d+$', example: '18734' },
  },
  'Idempotent-Replayed': {
    description: 'true when this is the stored answer to an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
  Location: { description: 'Where the created resource is read', schema: { type: 'string' } },
};

// Codes any route of a kind can give, whatever the resource.
// Every route reads its request context, which parses If-Match, reads included.
const BAD_INPUT = ['VALIDATION_FAILED', 'BAD_REQUEST', 'INVALID_IF_MATCH'];
const COMMAND_CODES: Required<RouteErrors> = {
  400: [...BAD_INPUT, 'INVALID_IDEMPOTENCY_KEY'],
  404: [],
  409: ['IDEMPOTENCY_KEY_IN_USE', 'STALE_REVISION', 'CONCURRENT_MODIFICATION'],
  422: ['IDEMPOTENCY_KEY_MISMATCH'],
  // A new Idempotency-Key past the partner's budgets (budgets/idempotency-budget.ts).
  429: ['RATE_LIMITED', 'IDEMPOTENCY_BUDGET_EXCEEDED', 'RESPONSE_CACHE_BUDGET_EXCEEDED'],
};
const READ_CODES: Required<RouteErrors> = { 400: BAD_INPUT, 404: [], 409: [], 422: [], 429: ['RATE_LIMITED'] };

const DESCRIPTION: Record<number, string> = {
  400: 'Bad input: `errors` names each field (VALIDATION_FAILED), or a malformed id or header',
  401: 'The x-api-key header is missing or unknown; refused before the body is read',
  403: 'The API key’s role may not use this route (`details.requiredRole` names the role needed); nothing was read or written',
  404: 'Unknown id; another partner’s ids answer exactly the same',
  409: 'An illegal state, a stale If-Match (`currentRevision`, and the current ETag), or an Idempotency-Key still in use',
  413: 'The body is over 8 MB',
  422: 'A business rule refused the command, or the Idempotency-Key was used for another request',
  428: 'Neither If-Match nor Idempotency-Key was sent: this command moves money, and a retry of it without either would repeat it',
  500: 'Unexpected; the details are logged under the correlation id the message names',
  429: 'The API key used its requests for the window (RATE_LIMITED), or the partner one of its budgets in Redis; retry after Retry-After seconds',
  503: 'A dependency (event store, Redis, PostgreSQL) or a view is not there yet; retry with the same Idempotency-Key after Retry-After',
};

function errorResponse(status: number, codes: readonly string[], headers: HeadersObject = {}) {
  const schema: SchemaObject = {
    allOf: [
      { $ref: getSchemaPath(ErrorBodyResource) },
      {
        type: 'object',
        properties: {
          statusCode: { type: 'integer', enum: [status] },
          code: { type: 'string', enum: [...new Set(codes)] },
        },
      },
    ],
  };
  return ApiResponse({
    status,
    description: `${DESCRIPTION[status]}. Codes: ${[...new Set(codes)].join(', ')}`,
    schema,
    headers: { ...RATE_LIMIT, ...headers },
  });
}

function successResponses(success: Success, headers: HeadersObject): MethodDecorator[] {
  const all = [
    { status: success.status ?? HttpStatus.OK, type: success.type, description: success.description },
    ...(success.also ?? []),
  ];
  return all.map(({ status, type, description }) =>
    ApiResponse({
      status,
      description,
      headers: { ...RATE_LIMIT, ...headers },
      ...(type === undefined ? {} : { type: Array.isArray(type) ? type[0] : type, isArray: Array.isArray(type) }),
    }),
  );
}

function errorResponses(
  base: Required<RouteErrors>,
  own: RouteErrors,
  extra: { body: boolean; waitsForView: boolean; precondition?: boolean; forbidden: boolean },
): MethodDecorator[] {
  const codes = (status: keyof RouteErrors) => [...base[status], ...(own[status] ?? [])];
  return [
    errorResponse(400, [...codes(400), ...(extra.waitsForView ? ['INVALID_MIN_POSITION'] : [])]),
    errorResponse(401, ['INVALID_API_KEY']),
    ...(extra.forbidden ? [errorResponse(403, [ROLE_FORBIDDEN])] : []),
    ...(codes(404).length > 0 ? [errorResponse(404, codes(404))] : []),
    ...(codes(409).length > 0 ? [errorResponse(409, codes(409), ETAG)] : []),
    ...(extra.body ? [errorResponse(413, ['PAYLOAD_TOO_LARGE'])] : []),
    ...(codes(422).length > 0 ? [errorResponse(422, codes(422))] : []),
    ...(extra.precondition ? [errorResponse(428, [PRECONDITION_REQUIRED])] : []),
    errorResponse(429, codes(429), RETRY_AFTER),
    errorResponse(500, ['INTERNAL_ERROR']),
    errorResponse(503, ['DEPENDENCY_UNAVAILABLE', ...(extra.waitsForView ? ['VIEW_NOT_CAUGHT_UP'] : [])], RETRY_AFTER),
  ];
}

const ROLE_NOTE: Record<RequiredRole, string> = {
  writer: 'Role: writer (reader and auditor keys get 403 ROLE_FORBIDDEN).',
  reader: 'Role: reader (any key of the partner: reader, auditor or writer).',
  auditor: 'Role: auditor (reader and writer keys get 403 ROLE_FORBIDDEN).',
};

/** The role a route needs, for the guard (auth/roles.ts) and stated in the OpenAPI document: `x-required-role` and the description. */
const RouteRole = (role: RequiredRole) =>
  applyDecorators(
    RequiresRole(role),
    ApiExtension('x-required-role', role),
    ApiOperation({ description: ROLE_NOTE[role] }),
  );

const CORRELATION_ID = ApiHeader({
  name: 'X-Correlation-Id',
  required: false,
  description:
    'Ties this request to the upstream one that caused it: logged, answered, and kept in the metadata of every event written',
  schema: { type: 'string', maxLength: 200 },
});

/**
 * A command (POST, PUT, PATCH, DELETE): Idempotency-Key and If-Match in;
 * ETag (unless `revision: false`), X-Position and Idempotent-Replayed out.
 * `precondition: true` for a route with `@RequiresPrecondition()`: one of the two headers is required.
 * `ifMatch: false` for a command no one stream revision guards: If-Match is refused (400 IF_MATCH_NOT_SUPPORTED), not ignored.
 */
export function ApiCommand(
  success: Success & { revision?: boolean; body?: boolean; precondition?: boolean; ifMatch?: false },
) {
  const takesIfMatch = success.ifMatch !== false;
  const required = success.precondition
    ? takesIfMatch
      ? ' This route requires it unless If-Match is sent (428 PRECONDITION_REQUIRED).'
      : ' This route requires it (428 PRECONDITION_REQUIRED).'
    : '';
  const errors = takesIfMatch
    ? (success.errors ?? {})
    : { ...success.errors, 400: [...(success.errors?.[400] ?? []), IF_MATCH_NOT_SUPPORTED] };
  return applyDecorators(
    RouteRole('writer'),
    ...(takesIfMatch ? [] : [UseGuards(IfMatchNotTakenGuard)]),
    ApiExtraModels(ErrorBodyResource),
    CORRELATION_ID,
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: `Up to 200 printable ASCII characters. The same request again with the same key returns the first answer; see docs/api.md.${required}`,
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$', example: 'buy-cart-7f3e' },
    }),
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: takesIfMatch
        ? `The ETag last seen; a stale one answers 409 STALE_REVISION and the command is not retried.${success.precondition ? ' This route requires it unless Idempotency-Key is sent.' : ''}`
        : 'Not taken: no one stream revision guards this command, so an If-Match is refused (400 IF_MATCH_NOT_SUPPORTED) rather than ignored.',
      schema: { type: 'string', example: '"3"' },
    }),
    ...successResponses(success, { ...(success.revision === false ? {} : ETAG), ...COMMAND_SUCCESS }),
    ...errorResponses(COMMAND_CODES, errors, {
      body: success.body ?? true,
      waitsForView: false,
      precondition: success.precondition,
      forbidden: true,
    }),
  );
}

/**
 * A query. `view: true` reads from a view and so takes X-Min-Position (or
 * ?minPosition) and may answer 503 VIEW_NOT_CAUGHT_UP; `revision: true`
 * answers the stream revision as ETag. `role: 'auditor'` for the audit routes; any key reads the others.
 */
export function ApiRead(success: Success & { view?: boolean; revision?: boolean; role?: 'reader' | 'auditor' }) {
  const role = success.role ?? 'reader';
  return applyDecorators(
    RouteRole(role),
    ApiExtraModels(ErrorBodyResource),
    CORRELATION_ID,
    ...(success.view
      ? [
          ApiHeader({
            name: 'X-Min-Position',
            required: false,
            description: 'An X-Position a command answered: the read waits (up to 2 s) until the view has it',
            schema: { type: 'string', pattern: '^\\d{1,20}$', example: '18734' },
          }),
        ]
      : []),
    ...successResponses(success, success.revision ? ETAG : {}),
    ...errorResponses(READ_CODES, success.errors ?? {}, {
      body: false,
      waitsForView: success.view ?? false,
      forbidden: role !== 'reader',
    }),
  );
}
