/**
 * POST /oauth/token (RFC 6749; form-encoded, JSON accepted too) and POST /oauth/revoke
 * (RFC 7009). Errors keep the RFC 6749 shape ({error, error_description}), as OAuth clients expect.
 */
import Router from '@koa/router';
import OAuth2Server from '@node-oauth/oauth2-server';
import type { Context } from 'koa';
import type { AuthStore } from '../domain/ports.ts';
import { revokeRefreshToken } from '../domain/refresh-tokens.ts';

/** The library reads a form body; a JSON body is handed over as if it had been one. */
function oauthRequest(ctx: Context): OAuth2Server.Request {
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  const form = Object.fromEntries(Object.entries(body).map(([key, value]) => [key, typeof value === 'string' ? value : String(value)]));
  return new OAuth2Server.Request({
    method: ctx.method,
    query: {},
    headers: {
      authorization: ctx.get('authorization'),
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Math.max(1, (ctx.state.rawBody as Buffer).length)),
    },
    body: form,
  });
}

function sendOAuthError(ctx: Context, error: unknown): void {
  if (!(error instanceof OAuth2Server.OAuthError)) throw error;
  if (error.code >= 500) throw error;
  ctx.status = error.code;
  if (error.code === 401) ctx.set('www-authenticate', 'Basic realm="oauth"');
  ctx.set('cache-control', 'no-store');
  ctx.body = { error: error.name, error_description: error.message };
}

export function oauthRoutes(server: OAuth2Server, store: AuthStore): Router {
  const router = new Router();
  router.post('/oauth/token', async (ctx) => {
    const response = new OAuth2Server.Response();
    try {
      await server.token(oauthRequest(ctx), response);
    } catch (error) {
      sendOAuthError(ctx, error);
      return;
    }
    ctx.set('cache-control', 'no-store');
    ctx.set('pragma', 'no-cache');
    ctx.body = response.body as unknown;
  });

  // RFC 7009: the client names itself (public first-party client) or authenticates; any
  // token, even unknown, answers 200. Access tokens are short-lived JWTs and simply expire.
  router.post('/oauth/revoke', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const token = typeof body.token === 'string' ? body.token : '';
    const clientId = typeof body.client_id === 'string' ? body.client_id : '';
    if (!token || !clientId) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'token and client_id are required' };
      return;
    }
    const client = await store.findClient(clientId);
    if (!client || client.secretHash) {
      ctx.status = 401;
      ctx.body = { error: 'invalid_client', error_description: 'unknown client, or a confidential one (its tokens are not refreshable)' };
      return;
    }
    await revokeRefreshToken(store, token, clientId);
    ctx.status = 200;
    ctx.body = {};
  });
  return router;
}
