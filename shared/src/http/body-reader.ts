/**
 * Reads every request body once, bounded, before anything else looks at it: the raw bytes
 * (the internal signature and the gateway's proxy need them) and the parsed JSON or form.
 *
 * A body over the limit is read to its end and thrown away, then refused with 413: refusing
 * mid-stream would close a socket that still has unread bytes, and the client would see a
 * reset instead of the answer (and lose its keep-alive connection). Past a hard cap the
 * answer says `Connection: close` and reading stops.
 */
import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { AppError } from '../errors.ts';

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}

export interface BodyReaderOptions {
  /** Largest body accepted, in bytes. */
  limit: number;
  /** Largest body drained to keep the connection; beyond it the connection is closed. */
  drainCap?: number;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const MAX_DEPTH = 32;

class TooLarge extends AppError {
  constructor(
    limit: number,
    readonly closeConnection: boolean,
  ) {
    super('payload-too-large', `request body is larger than ${limit} bytes`);
  }
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

export function readBoundedBody(req: IncomingMessage, limit: number, drainCap: number): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > drainCap) return Promise.reject(new TooLarge(limit, true));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > drainCap) {
        req.off('data', onData);
        req.pause();
        reject(new TooLarge(limit, true));
      }
    };
    req.on('data', onData);
    req.once('end', () => (size > limit ? reject(new TooLarge(limit, false)) : resolve(Buffer.concat(chunks))));
    req.once('error', reject);
  });
}

/** Refuses strings with control characters anywhere in a parsed body (keys included). */
export function assertNoControlCharacters(value: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw new AppError('validation', 'request body is nested too deeply');
  if (typeof value === 'string') {
    if (CONTROL_CHARACTERS.test(value)) throw new AppError('validation', 'request body contains control characters');
  } else if (Array.isArray(value)) {
    for (const item of value) assertNoControlCharacters(item, depth + 1);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      assertNoControlCharacters(key, depth + 1);
      assertNoControlCharacters(item, depth + 1);
    }
  }
}

function parse(raw: Buffer, contentType: string): unknown {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new AppError('validation', `request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  throw new AppError('unsupported-media-type', 'send the body as application/json');
}

export function bodyReader(options: BodyReaderOptions): Middleware {
  const drainCap = options.drainCap ?? 8 * 1024 * 1024;
  return async (ctx, next) => {
    let raw: Buffer = Buffer.alloc(0);
    if (hasBody(ctx.req)) {
      try {
        raw = await readBoundedBody(ctx.req, options.limit, drainCap);
      } catch (error) {
        if (error instanceof TooLarge && error.closeConnection) ctx.set('connection', 'close');
        throw error;
      }
    }
    ctx.state.rawBody = raw;
    ctx.request.body = raw.length > 0 ? parse(raw, ctx.get('content-type')) : {};
    assertNoControlCharacters(ctx.request.body);
    await next();
  };
}
