/**
 * The public API as OpenAPI 3.1, built from the zod schemas each service validates with and the
 * gateway's route policy (who may call what). Every route the gateway admits must be described,
 * and nothing else: `apiDocument()` throws naming the difference.
 */
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { problemSchema, type ApiOperation, type ApiOperations } from '../shared/src/http/api-operations.ts';
import { POLICY, type RoutePolicy } from '../services/gateway/src/policy.ts';
import { gatewayOperations } from '../services/gateway/src/api-document.ts';
import { authOperations } from '../services/auth/src/entry-points/api-document.ts';
import { orderOperations } from '../services/order/src/entry-points/api-document.ts';
import { inventoryOperations } from '../services/inventory/src/entry-points/api-document.ts';
import { paymentOperations } from '../services/payment/src/entry-points/api-document.ts';
import { ledgerOperations } from '../services/ledger/src/entry-points/api-document.ts';
import { notificationOperations } from '../services/notification/src/entry-points/api-document.ts';

const ALL: ApiOperations = { ...gatewayOperations, ...authOperations, ...orderOperations, ...inventoryOperations, ...paymentOperations, ...ledgerOperations, ...notificationOperations };

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });

/** What any route may answer besides its own: the gateway's and the services' problems. */
function problemAnswers(operation: ApiOperation, policy: RoutePolicy): ZodOpenApiResponsesObject {
  const takesInput = Boolean(operation.body ?? operation.query ?? operation.params ?? operation.headers);
  return {
    ...(takesInput ? { 400: problem('The input is invalid; `errors` names each field') } : {}),
    ...(policy.allow !== 'public' ? { 401: problem('No valid access token'), 403: problem('The token is valid but not for this route or object') } : {}),
    404: problem('No such object (or not one the caller may see)'),
    409: problem('A conflict: not enough stock, a request with this key still in flight, a state that forbids it'),
    422: problem('Understood but refused (an unknown product, a key reused with another body, a refund larger than the payment)'),
    429: problem('Over a rate limit; `Retry-After` says when to try again'),
    503: problem('A dependency is unavailable; retry after `Retry-After` (with the same Idempotency-Key)'),
  };
}

function describe(operation: ApiOperation, policy: RoutePolicy): ZodOpenApiOperationObject {
  const responses: ZodOpenApiResponsesObject = { ...problemAnswers(operation, policy) };
  for (const [status, answer] of Object.entries(operation.answers)) {
    responses[status as `${1 | 2 | 3 | 4 | 5}${string}`] = answer.body ? { description: answer.description, content: { 'application/json': { schema: answer.body } } } : { description: answer.description };
  }
  const who = policy.allow === 'public' ? 'anyone' : policy.allow === 'authenticated' ? 'any signed-in caller' : policy.allow.join(', ');
  return {
    summary: operation.summary,
    description: `Who may call it: ${who}.`,
    tags: [policy.to],
    ...(policy.allow !== 'public' ? { security: [{ bearer: [] }] } : {}),
    ...(operation.params || operation.query || operation.headers
      ? { requestParams: { ...(operation.params ? { path: operation.params } : {}), ...(operation.query ? { query: operation.query } : {}), ...(operation.headers ? { header: operation.headers } : {}) } }
      : {}),
    ...(operation.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: operation.body }, ...(operation.formBody ? { 'application/x-www-form-urlencoded': { schema: operation.body } } : {}) } } }
      : {}),
    responses,
  };
}

export const openApiPath = (path: string) => path.replace(/:([a-zA-Z]+)/g, '{$1}');

export function apiDocument() {
  const keyOf = (policy: RoutePolicy) => `${policy.method} ${policy.path}` as keyof ApiOperations;
  const undocumented = POLICY.filter((policy) => !ALL[keyOf(policy)]).map(keyOf);
  const unrouted = Object.keys(ALL).filter((key) => !POLICY.some((policy) => keyOf(policy) === key));
  if (undocumented.length > 0 || unrouted.length > 0) throw new Error(`the API document and the gateway's routes differ: undocumented ${undocumented.join(', ') || 'none'}; not routed ${unrouted.join(', ') || 'none'}`);
  const paths: ZodOpenApiPathsObject = {};
  for (const policy of POLICY) {
    const item = (paths[openApiPath(policy.path)] ??= {});
    item[policy.method.toLowerCase() as 'get' | 'post' | 'put'] = describe(ALL[keyOf(policy)]!, policy);
  }
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'Payment and order platform', version: '1.0.0', description: 'The public API, through the gateway. Money is integer minor units with an ISO 4217 currency. Errors are application/problem+json (RFC 9457).' },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from POST /oauth/token' } } },
    paths,
  });
}
