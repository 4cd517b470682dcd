/**
 * Service-to-service proof: every internal HTTP call is signed with HMAC-SHA256 over what it
 * asks (method, path and query, a timestamp, a one-time nonce, the calling service, the
 * forwarded identity and the body's hash). A service answers only signed calls made within the
 * replay window and never seen before, so a caller that reaches a service port directly gets
 * nothing it could not get through the gateway. /health and /ready stay open for probes.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { AppError } from '../errors.ts';
import { decodeIdentity, IDENTITY_HEADER } from './identity.ts';
import { inSpan, SpanKind, withTraceHeaders } from '../telemetry/tracing.ts';
import { httpRequest } from './http-client.ts';

export const INTERNAL_HEADERS = {
  caller: 'x-internal-caller',
  timestamp: 'x-internal-timestamp',
  nonce: 'x-internal-nonce',
  signature: 'x-internal-signature',
} as const;

/** How far a signed request's clock may be from ours; nonces are remembered this long. */
export const REPLAY_WINDOW_MS = 30_000;
const MAX_REMEMBERED_NONCES = 200_000;
const OPEN_PATHS = new Set(['/health', '/ready']);

interface SignedRequest {
  method: string;
  /** Path and query string, exactly as sent. */
  path: string;
  body?: Uint8Array | undefined;
  /** The encoded identity header, when the call acts for a user. */
  identity?: string | undefined;
}

function canonical(request: SignedRequest, caller: string, timestamp: string, nonce: string): string {
  const bodyHash = createHash('sha256').update(request.body ?? new Uint8Array()).digest('hex');
  return [request.method.toUpperCase(), request.path, timestamp, nonce, caller, request.identity ?? '', bodyHash].join('\n');
}

const mac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest();

/** The headers that prove `caller` made this request (identity header included when given). */
export function signInternalRequest(secret: string, caller: string, request: SignedRequest): Record<string, string> {
  const timestamp = String(Date.now());
  const nonce = randomUUID();
  return {
    [INTERNAL_HEADERS.caller]: caller,
    [INTERNAL_HEADERS.timestamp]: timestamp,
    [INTERNAL_HEADERS.nonce]: nonce,
    [INTERNAL_HEADERS.signature]: mac(secret, canonical(request, caller, timestamp, nonce)).toString('base64url'),
    ...(request.identity ? { [IDENTITY_HEADER]: request.identity } : {}),
  };
}

/** Nonces seen within the window, bounded: when full of live nonces, new calls wait (503). */
class NonceMemory {
  private readonly seen = new Map<string, number>();

  /** false if the nonce was seen before. */
  remember(nonce: string, now: number): boolean {
    if (this.seen.has(nonce)) return false;
    if (this.seen.size >= MAX_REMEMBERED_NONCES) {
      for (const [old, expiry] of this.seen) {
        if (expiry > now) break; // insertion order ≈ expiry order
        this.seen.delete(old);
      }
      if (this.seen.size >= MAX_REMEMBERED_NONCES) throw new AppError('unavailable', 'too many internal calls in flight; try again');
    }
    this.seen.set(nonce, now + 2 * REPLAY_WINDOW_MS);
    return true;
  }
}

export interface InternalAuthOptions {
  secret: string;
  /** Paths answered without a proof (beyond /health and /ready), e.g. the public JWKS. */
  openPaths?: readonly string[];
  /** A bearer token a metrics scraper may use for /metrics instead of a signature. */
  metricsToken?: string | undefined;
}

/** Needs the body reader before it (the signature covers the raw body). */
export function internalAuth(options: InternalAuthOptions): Middleware {
  const nonces = new NonceMemory();
  const open = new Set([...OPEN_PATHS, ...(options.openPaths ?? [])]);
  const refuse = (why: string): never => {
    throw new AppError('unauthorized', `internal call refused: ${why}`);
  };
  return async (ctx, next) => {
    ctx.state.identity = null;
    const scraper = ctx.path === '/metrics' && options.metricsToken !== undefined && safeEqual(ctx.get('authorization'), `Bearer ${options.metricsToken}`);
    if (open.has(ctx.path) || scraper) {
      await next();
      return;
    }
    const caller = ctx.get(INTERNAL_HEADERS.caller);
    const timestamp = ctx.get(INTERNAL_HEADERS.timestamp);
    const nonce = ctx.get(INTERNAL_HEADERS.nonce);
    const signature = ctx.get(INTERNAL_HEADERS.signature);
    if (!caller || !timestamp || !nonce || !signature) refuse('no signature');
    const now = Date.now();
    if (!/^\d{1,15}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > REPLAY_WINDOW_MS) refuse('outside the replay window');
    const identityHeader = ctx.get(IDENTITY_HEADER) || undefined;
    const expected = mac(options.secret, canonical({ method: ctx.method, path: ctx.originalUrl, body: ctx.state.rawBody as Buffer, identity: identityHeader }, caller, timestamp, nonce));
    if (!safeEqual(Buffer.from(signature, 'base64url'), expected)) refuse('bad signature');
    if (!nonces.remember(nonce, now)) refuse('replayed');
    ctx.state.caller = caller;
    ctx.state.identity = identityHeader ? decodeIdentity(identityHeader) : null;
    await next();
  };
}

export function safeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const left = Buffer.isBuffer(a) ? a : Buffer.from(a);
  const right = Buffer.isBuffer(b) ? b : Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A fetch()-like call from one service to another: signs every request as `caller` (internal-http.ts). */
export function internalFetch(secret: string, caller: string) {
  return (url: string, init: { method?: string; body?: string; identity?: string; signal?: AbortSignal; headers?: Record<string, string> } = {}) => {
    const target = new URL(url);
    const method = init.method ?? 'GET';
    const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
    const signed = signInternalRequest(secret, caller, { method, path: `${target.pathname}${target.search}`, body, identity: init.identity });
    return inSpan(`${method} ${target.host}`, { kind: SpanKind.CLIENT, attributes: { 'http.request.method': method, 'server.address': target.host } }, async (span) => {
      const response = await httpRequest(target, {
        method,
        headers: withTraceHeaders({ ...(body ? { 'content-type': 'application/json' } : {}), ...init.headers, ...signed }),
        body,
        signal: init.signal,
      });
      span?.setAttribute('http.response.status_code', response.status);
      return response;
    });
  };
}

export type InternalFetch = ReturnType<typeof internalFetch>;
