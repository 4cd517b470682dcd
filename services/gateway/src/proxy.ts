/**
 * Forwards a request to the service that owns its path and relays the answer. Only the headers
 * a client and a service need cross; an unreachable service is a 503 problem, not a hang.
 */
import type { Middleware } from 'koa';
import { AppError } from '@platform/shared/errors';
import { serviceFor, type ServiceName } from './upstreams.ts';

const REQUEST_HEADERS = ['content-type', 'accept', 'idempotency-key', 'x-correlation-id'];
const RESPONSE_HEADERS = ['content-type', 'location', 'idempotent-replayed', 'retry-after'];
const TIMEOUT_MS = 10_000;

async function readBody(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buffer.length;
    if (size > limit) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function proxy(upstreams: Record<ServiceName, string>): Middleware {
  return async (ctx, next) => {
    const service = serviceFor(ctx.path);
    if (!service) {
      await next();
      return;
    }
    const headers = new Headers();
    for (const name of REQUEST_HEADERS) {
      const value = ctx.get(name);
      if (value) headers.set(name, value);
    }
    headers.set('x-correlation-id', ctx.state.correlationId as string);
    const body = ctx.method === 'GET' || ctx.method === 'HEAD' ? undefined : new Uint8Array(await readBody(ctx.req, 100 * 1024));
    let response: Response;
    try {
      response = await fetch(`${upstreams[service]}${ctx.path}${ctx.search}`, { method: ctx.method, headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      throw new AppError('unavailable', `the ${service} service is unavailable`, undefined, { cause: error });
    }
    ctx.status = response.status;
    for (const name of RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value) ctx.set(name, value);
    }
    ctx.body = Buffer.from(await response.arrayBuffer());
  };
}
