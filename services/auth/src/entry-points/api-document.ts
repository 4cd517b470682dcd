/** The auth service's public operations, for the OpenAPI document (scripts/openapi.ts). */
import { z } from 'zod';
import type { ApiOperations } from '@platform/shared/http/api-operations';
import { credentials, merchantParam, named } from './http-routes.ts';

const tokenRequest = z
  .looseObject({
    grant_type: z.enum(['password', 'client_credentials', 'refresh_token']),
    client_id: z.string(),
    client_secret: z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    refresh_token: z.string().optional(),
    scope: z.string().optional(),
  })
  .meta({ id: 'TokenRequest', description: 'RFC 6749 §4.3, §4.4 and §6; form-encoded (JSON is accepted too).' });

const tokenAnswer = z
  .looseObject({ access_token: z.string(), token_type: z.string(), expires_in: z.number().int(), refresh_token: z.string().optional(), scope: z.string().optional() })
  .meta({ id: 'TokenAnswer' });

const role = z.enum(['customer', 'merchant', 'admin', 'internal']);

export const authOperations: ApiOperations = {
  'POST /oauth/token': {
    summary: 'An access token (password, client credentials or refresh token grant)',
    body: tokenRequest,
    formBody: true,
    answers: {
      200: { description: 'A token (a short-lived JWT; refresh tokens rotate)', body: tokenAnswer },
      400: { description: 'RFC 6749 error', body: z.object({ error: z.string(), error_description: z.string() }) },
    },
  },
  'POST /oauth/revoke': {
    summary: 'Revoke a refresh token (RFC 7009; any token answers 200)',
    body: z.object({ token: z.string(), client_id: z.string() }),
    formBody: true,
    answers: { 200: { description: 'Revoked, or never known', body: z.object({}) } },
  },
  'GET /.well-known/jwks.json': {
    summary: 'The public keys that verify access tokens (RFC 7517)',
    answers: { 200: { description: 'The key set', body: z.object({ keys: z.array(z.looseObject({ kid: z.string(), kty: z.string() })) }) } },
  },
  'POST /auth/users': { summary: 'Register a customer', body: credentials, answers: { 201: { description: 'Registered', body: z.object({ id: z.string().uuid(), email: z.string(), role }) } } },
  'GET /auth/me': {
    summary: 'Who the token belongs to',
    answers: { 200: { description: 'The caller', body: z.object({ id: z.string(), role, merchantId: z.string().uuid().nullable(), scopes: z.array(z.string()), email: z.string().nullable() }) } },
  },
  'POST /merchants': {
    summary: 'Create a merchant and its API client (the secret is shown once)',
    body: named,
    answers: { 201: { description: 'Created', body: z.object({ id: z.string().uuid(), name: z.string(), clientId: z.string(), clientSecret: z.string() }) } },
  },
  'POST /merchants/:id/staff': {
    summary: "Add a person who signs in as the merchant's staff",
    params: merchantParam,
    body: credentials,
    answers: { 201: { description: 'Added', body: z.object({ id: z.string().uuid(), email: z.string(), role, merchantId: z.string().uuid() }) } },
  },
  'POST /auth/clients': {
    summary: 'Create an internal API client (the secret is shown once)',
    body: named,
    answers: { 201: { description: 'Created', body: z.looseObject({ name: z.string(), clientId: z.string(), clientSecret: z.string() }) } },
  },
  'POST /auth/signing-keys/rotate': { summary: 'Rotate the token signing key (old keys stay published until their tokens expire)', answers: { 201: { description: 'The new key id', body: z.object({ kid: z.string() }) } } },
};
