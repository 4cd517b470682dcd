/**
 * /console: the operations console's door. Sign-in goes through the auth service (the password
 * grant, as any client) and only an admin's token opens a session; everything that changes state
 * needs the session's CSRF token, and a cross-site POST (an Origin that is not ours) is refused
 * before anything else. The cookie is HttpOnly, SameSite=Strict, Secure, scoped to /console.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import type { InternalFetch } from '@platform/shared/http/internal-auth';
import type { HttpResponse } from '@platform/shared/http/http-client';
import type { TokenVerifier } from '../authenticate.ts';
import { spend, type createLimiters } from '../rate-limit.ts';
import { loginPage, PAGE_CSP } from './console-pages.ts';
import { APP_CSP, consoleAssets } from './console-assets.ts';
import { registerConsoleApi } from './console-api.ts';
import { readOverview } from './overview.ts';
import type { Upstreams } from '../upstreams.ts';
import { csrfMatches, SESSION_COOKIE, SESSION_IDLE_SECONDS, type ConsoleSession, type ConsoleSessions } from './console-sessions.ts';

export interface ConsoleOptions {
  authUrl: string;
  upstreams: Upstreams;
  signedFetch: InternalFetch;
  verifyToken: TokenVerifier;
  sessions: ConsoleSessions;
  limiters: ReturnType<typeof createLimiters>;
  /** The built front end's folder (null: not built, the page answers 503). */
  uiDirectory: string | null;
}

const credentials = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(200) });

function cookie(value: string, maxAge: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/console; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`;
}

function sessionId(ctx: Context): string | undefined {
  return ctx.get('cookie').split(';').map((part) => part.trim().split('=')).find(([name]) => name === SESSION_COOKIE)?.[1];
}

function html(ctx: Context, status: number, body: string, csp = PAGE_CSP): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('content-security-policy', csp);
  // The API's no-referrer would make the browser send `Origin: null` with the page's own POSTs,
  // and the cross-site check refuses null. same-origin names us to ourselves, and no one else.
  ctx.set('referrer-policy', 'same-origin');
  ctx.set('cache-control', 'no-store');
  ctx.body = body;
}

/** A browser names the page a POST came from; one from another site is refused. */
function refuseCrossSite(ctx: Context): void {
  // Compared by host: behind a proxy that ends TLS the scheme seen here is http while the
  // browser's Origin says https. (Koa 3's ctx.origin echoes the Origin header: no yardstick.)
  const origin = ctx.get('origin');
  if (origin && (!URL.canParse(origin) || new URL(origin).host !== ctx.host)) throw new AppError('forbidden', 'cross-site requests are refused');
}

/** The admin's token for these credentials, or why not (an answer the login page shows). */
async function signIn(options: ConsoleOptions, email: string, password: string): Promise<{ token: string } | { refused: string }> {
  const form = new URLSearchParams({ grant_type: 'password', client_id: 'platform-web', username: email, password }).toString();
  let response: HttpResponse;
  try {
    response = await options.signedFetch(`${options.authUrl}/oauth/token`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' }, signal: AbortSignal.timeout(5_000) });
  } catch (error) {
    throw new AppError('unavailable', 'sign-in is unavailable; try again shortly', undefined, { cause: error });
  }
  if (response.status >= 500) {
    await response.body?.cancel();
    throw new AppError('unavailable', 'sign-in is unavailable; try again shortly');
  }
  const body = (await response.json()) as { access_token?: string };
  return response.status === 200 && body.access_token ? { token: body.access_token } : { refused: 'Wrong e-mail or password.' };
}

export function consoleRouter(options: ConsoleOptions): Router {
  const router = new Router({ prefix: '/console' });
  const current = (ctx: Context) => options.sessions.find(sessionId(ctx));
  const requireSession = async (ctx: Context): Promise<ConsoleSession> => {
    const session = await current(ctx);
    if (!session) throw new AppError('unauthorized', 'sign in to the console first');
    return session;
  };
  const requireChange = async (ctx: Context): Promise<ConsoleSession> => {
    refuseCrossSite(ctx);
    const session = await requireSession(ctx);
    const offered = ctx.get('x-csrf-token') || (ctx.request.body as { csrf?: unknown } | undefined)?.csrf;
    if (!csrfMatches(session, offered)) throw new AppError('forbidden', 'the CSRF token is missing or wrong');
    return session;
  };
  const assets = consoleAssets(options.uiDirectory);

  router.get('/login', (ctx) => html(ctx, 200, loginPage()));

  router.post('/login', async (ctx) => {
    refuseCrossSite(ctx);
    // Guessing passwords here costs what it costs at the token endpoint.
    await spend(ctx, options.limiters, [['token', ctx.ip]]);
    const parsed = credentials.safeParse(ctx.request.body);
    if (!parsed.success) return html(ctx, 400, loginPage('Enter an e-mail and a password.'));
    const answer = await signIn(options, parsed.data.email, parsed.data.password);
    if ('refused' in answer) return html(ctx, 401, loginPage(answer.refused));
    const identity = await options.verifyToken(answer.token);
    if (identity.role !== 'admin') return html(ctx, 403, loginPage('This console is for administrators.'));
    const session = await options.sessions.open(identity);
    ctx.append('set-cookie', cookie(session.id, SESSION_IDLE_SECONDS));
    ctx.status = 303;
    ctx.redirect('/console');
  });

  router.get('/', async (ctx) => {
    const session = await current(ctx);
    if (!session) {
      ctx.status = 303;
      return ctx.redirect('/console/login');
    }
    html(ctx, 200, assets.indexHtml(), APP_CSP);
  });

  // Hashed file names: a new build is new names, so each may be cached for a year.
  router.get('/assets/:name', (ctx) => {
    const found = assets.asset(ctx.params.name ?? '');
    if (!found) throw new AppError('not-found', `no console asset ${ctx.params.name}`);
    ctx.type = found.type;
    ctx.set('cache-control', 'public, max-age=31536000, immutable');
    ctx.body = found.body;
  });

  router.get('/api/session', async (ctx) => {
    const session = await requireSession(ctx);
    ctx.set('cache-control', 'no-store');
    ctx.body = { sub: session.identity.sub, role: session.identity.role, csrfToken: session.csrf };
  });

  // Outbox lag, queue and DLQ depths per service, read now (the page polls it).
  router.get('/api/overview', async (ctx) => {
    await requireSession(ctx);
    ctx.set('cache-control', 'no-store');
    ctx.body = await readOverview(options.upstreams, options.signedFetch);
  });

  registerConsoleApi(router, { upstreams: options.upstreams, signedFetch: options.signedFetch, requireSession, requireChange });

  router.post('/logout', async (ctx) => {
    const session = await requireChange(ctx);
    await options.sessions.close(session.id);
    ctx.append('set-cookie', cookie('', 0));
    ctx.status = 303;
    ctx.redirect('/console/login');
  });
  return router;
}
