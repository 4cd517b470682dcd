/**
 * Forwards a request to the service that owns its route, signed as the gateway and carrying
 * the verified identity (internal-auth.ts), and relays the answer. Only the headers a client
 * and a service need cross; an unreachable service is a 503 problem, not a hang.
 */
import type { Context } from 'koa';
import { AppError } from '@platform/shared/errors';
import type { InternalFetch } from '@platform/shared/http/internal-auth';
import type { HttpResponse } from '@platform/shared/http/http-client';
import type { ServiceName, Upstreams } from './upstreams.ts';

const REQUEST_HEADERS = ['accept', 'idempotency-key', 'x-correlation-id'];
const RESPONSE_HEADERS = ['content-type', 'location', 'idempotent-replayed', 'retry-after', 'cache-control', 'pragma', 'www-authenticate'];
const TIMEOUT_MS = 10_000;

export async function forward(ctx: Context, service: ServiceName, upstreams: Upstreams, signedFetch: InternalFetch, identity: string | undefined): Promise<void> {
  const headers: Record<string, string> = { 'x-correlation-id': ctx.state.correlationId as string };
  for (const name of REQUEST_HEADERS) {
    const value = ctx.get(name);
    if (value) headers[name] = value;
  }
  // OAuth clients may authenticate with HTTP Basic at the token endpoint; nothing else needs it.
  if (service === 'auth' && ctx.path.startsWith('/oauth/') && ctx.get('authorization').startsWith('Basic ')) headers.authorization = ctx.get('authorization');
  const raw = ctx.state.rawBody as Buffer;
  let response: HttpResponse;
  try {
    response = await signedFetch(`${upstreams[service]}${ctx.path}${ctx.search}`, {
      method: ctx.method,
      ...(raw.length > 0 ? { body: raw.toString('utf8'), headers: { ...headers, 'content-type': ctx.get('content-type') } } : { headers }),
      identity,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new AppError('unavailable', `the ${service} service is unavailable`, undefined, { cause: error });
  }
  ctx.status = response.status;
  for (const name of RESPONSE_HEADERS) {
    const value = response.headers.get(name);
    if (value) ctx.set(name, value);
  }
  ctx.body = Buffer.from(await response.arrayBuffer());
}
