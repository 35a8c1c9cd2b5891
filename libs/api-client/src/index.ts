export { ApiClient, ApiClientOptions, createApiClient } from './api-client';
export type { components, operations, paths } from './generated/openapi-schema';

import type { components } from './generated/openapi-schema';
/** The body of every error answer, with its machine-readable code. */
export type ErrorBody = components['schemas']['ErrorBodyResource'];
