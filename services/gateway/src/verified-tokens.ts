/**
 * Remembers access tokens already verified, so a client's next request with the same token skips
 * the signature check (ES256 through WebCrypto: about a ninth of the gateway's CPU under load,
 * measured with --cpu-prof). Only a success is kept, under the token's SHA-256 (no bearer secret
 * stays in the heap), until the token's own expiry or for a minute, whichever comes first — so a
 * key withdrawn from the JWKS stops being honoured within a minute, as jose's own key cache
 * allows anyway — and for at most `maxEntries` tokens, the oldest forgotten first.
 */
import { createHash } from 'node:crypto';
import type { Identity } from '@platform/shared/http/identity';

export interface Verified {
  identity: Identity;
  expiresAt: Date;
}

export interface RememberOptions {
  maxEntries: number;
  maxAgeMs: number;
  now: () => number;
}

const DEFAULTS: RememberOptions = { maxEntries: 10_000, maxAgeMs: 60_000, now: () => Date.now() };

export function rememberVerified(verify: (token: string) => Promise<Verified>, options: RememberOptions = DEFAULTS): (token: string) => Promise<Identity> {
  const remembered = new Map<string, { identity: Identity; until: number }>();
  // A copy each time: no request can change what the next one is told.
  const copyOf = (identity: Identity): Identity => ({ ...identity, scopes: [...identity.scopes] });
  return async (token) => {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = options.now();
    const known = remembered.get(key);
    if (known && known.until > now) return copyOf(known.identity);
    remembered.delete(key);
    const { identity, expiresAt } = await verify(token);
    if (remembered.size >= options.maxEntries) remembered.delete(remembered.keys().next().value!);
    remembered.set(key, { identity: copyOf(identity), until: Math.min(expiresAt.getTime(), now + options.maxAgeMs) });
    return identity;
  };
}
