/**
 * Verifies a bearer access token against the auth service's JWKS (cached; fetched again, at
 * most once a second, when a token names a key it does not know, as happens after a
 * rotation). Only ES256 is accepted, so `alg: none` and HMAC tricks fail; issuer, audience and
 * expiry are checked. A bad token is a 401 with WWW-Authenticate; an unreachable auth service a 503.
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { ROLES, type Identity } from '@platform/shared/http/identity';
import { rememberVerified, type Verified } from './verified-tokens.ts';

export interface TokenVerifierOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

const claims = z.object({
  sub: z.string().min(1).max(200),
  exp: z.number(),
  role: z.enum(ROLES),
  scope: z.string().max(2_000).default(''),
  merchant_id: z.string().uuid().optional(),
});

export class InvalidToken extends AppError {
  constructor(readonly description: string) {
    super('unauthorized', `invalid access token: ${description}`);
  }
}

export type TokenVerifier = (token: string) => Promise<Identity>;

const COOLDOWN_MS = 1_000;

/** Verified once per token and remembered for a while (verified-tokens.ts). */
export function tokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: COOLDOWN_MS, cacheMaxAge: 10 * 60_000, timeoutDuration: 2_000 });
  const verify = (token: string) => jwtVerify(token, jwks, { issuer: options.issuer, audience: options.audience, algorithms: ['ES256'], requiredClaims: ['exp', 'sub'] });
  return rememberVerified(async (token): Promise<Verified> => {
    let payload: unknown;
    try {
      ({ payload } = await verify(token).catch(async (error: unknown) => {
        // A key published just now (a rotation) may arrive inside the refetch cooldown: wait it
        // out once. Unknown keys cost at most this wait, and the per-IP budget bounds them.
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
        await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 50));
        return verify(token);
      }));
    } catch (error) {
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
        throw new AppError('unavailable', 'cannot verify tokens right now; try again shortly', undefined, { cause: error });
      }
      throw new InvalidToken(error instanceof errors.JWTExpired ? 'expired' : error.code);
    }
    const parsed = claims.safeParse(payload);
    if (!parsed.success) throw new InvalidToken('missing or malformed claims');
    const identity = { sub: parsed.data.sub, role: parsed.data.role, merchantId: parsed.data.merchant_id ?? null, scopes: parsed.data.scope.split(' ').filter(Boolean) };
    return { identity, expiresAt: new Date(parsed.data.exp * 1000) };
  });
}

/** The bearer token of a request, if any; a malformed Authorization header is a 401. */
export function bearerToken(authorization: string): string | null {
  if (!authorization) return null;
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization);
  if (!match) throw new InvalidToken('the Authorization header must be "Bearer <token>"');
  return match[1]!;
}
