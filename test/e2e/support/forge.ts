/**
 * An attacker's tools, for the attack tests: tokens minted with the auth service's real key
 * (read from its database with the platform's keys, as a thief of both would), with another
 * key, tampered or unsigned.
 */
import { generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import pg from 'pg';
import { fieldCipher, indexKeySchema, keyringSchema } from '../../../shared/src/crypto/field-cipher.ts';
import { databaseUrlFor } from '../../../scripts/databases.ts';
import type { DevSecrets } from '../../../scripts/dev-secrets.ts';

export const ISSUER = 'urn:platform:auth';
export const AUDIENCE = 'urn:platform:api';

export function cipherOf(secrets: DevSecrets) {
  return fieldCipher(keyringSchema.parse(secrets.dataEncryptionKeys), indexKeySchema.parse(secrets.dataIndexKey));
}

export async function query<T extends pg.QueryResultRow>(service: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrlFor(service, 'e2e') });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Signs `claims` with the auth service's current key (exp and aud as given). */
export async function signWithPlatformKey(secrets: DevSecrets, claims: JWTPayload, exp: number, audience = AUDIENCE): Promise<string> {
  const [row] = await query<{ kid: string; private_key_encrypted: string }>('auth', 'SELECT kid, private_key_encrypted FROM signing_key WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1');
  const jwk = JSON.parse(cipherOf(secrets).decrypt(row!.private_key_encrypted, 'signing_key.private')) as JWK;
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: row!.kid }).setIssuer(ISSUER).setAudience(audience).setIssuedAt(exp - 300).setExpirationTime(exp).sign(await importJWK(jwk, 'ES256'));
}

/** The same claims under a key of our own, claiming the platform's key id. */
export async function signWithOtherKey(claims: JWTPayload, kid: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(privateKey);
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  return { header: JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>, payload: JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown> };
}

/** A real token whose payload is changed and whose signature is kept. */
export function tamper(token: string, changes: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return [header, part({ ...decodeJwt(token).payload, ...changes }), signature].join('.');
}

/** `alg: none`: claims with no signature at all. */
export function unsigned(payload: Record<string, unknown>): string {
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}
