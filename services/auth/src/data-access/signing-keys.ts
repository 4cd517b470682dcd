/**
 * ES256 signing keys for access tokens. The newest unretired key signs; rotation retires it
 * and makes a new one. A retired key stays in the JWKS until every token it signed has
 * expired, so tokens issued before a rotation keep verifying. Private keys are encrypted at rest.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { PrismaClient } from './generated/client.ts';

const PRIVATE_KEY = 'signing_key.private';
const CACHE_MS = 5_000;

export interface TokenSigner {
  sign(claims: JWTPayload & { sub: string }, ttlSeconds: number): Promise<string>;
  rotate(): Promise<string>;
  jwks(): Promise<{ keys: JWK[] }>;
}

export function signingKeys(client: PrismaClient, cipher: FieldCipher, options: { issuer: string; audience: string; maxTokenTtlSeconds: number }): TokenSigner {
  let current: { kid: string; key: CryptoKey | Uint8Array; loadedAt: number } | null = null;

  async function createKey(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomUUID();
    await client.signingKey.create({
      data: {
        kid,
        privateKeyEncrypted: cipher.encrypt(JSON.stringify(await exportJWK(privateKey)), PRIVATE_KEY),
        publicJwk: JSON.stringify({ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }),
      },
    });
    return kid;
  }

  async function signingKey() {
    if (current && Date.now() - current.loadedAt < CACHE_MS) return current;
    let row = await client.signingKey.findFirst({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
    if (!row) {
      await createKey();
      row = await client.signingKey.findFirstOrThrow({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
    }
    const jwk = JSON.parse(cipher.decrypt(row.privateKeyEncrypted, PRIVATE_KEY)) as JWK;
    current = { kid: row.kid, key: await importJWK(jwk, 'ES256'), loadedAt: Date.now() };
    return current;
  }

  return {
    async sign(claims, ttlSeconds) {
      const { kid, key } = await signingKey();
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .setJti(randomUUID())
        .sign(key);
    },
    async rotate() {
      await client.signingKey.updateMany({ where: { retiredAt: null }, data: { retiredAt: new Date() } });
      const kid = await createKey();
      current = null;
      return kid;
    },
    async jwks() {
      // Published until every token a retired key signed has expired (plus a minute of clock skew).
      const horizon = new Date(Date.now() - (options.maxTokenTtlSeconds + 60) * 1000);
      const rows = await client.signingKey.findMany({ where: { OR: [{ retiredAt: null }, { retiredAt: { gt: horizon } }] }, orderBy: { createdAt: 'desc' } });
      return { keys: rows.map((row) => JSON.parse(row.publicJwk) as JWK) };
    },
  };
}
