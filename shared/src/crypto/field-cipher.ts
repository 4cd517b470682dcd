/**
 * Encryption at rest for personal and card data: AES-256-GCM, a fresh 96-bit IV per value, and
 * the key id stored with each value, so keys rotate (new values under the newest key) while
 * rows written under an older key still read. `purpose` is bound in as associated data, so a
 * value copied into another column does not decrypt there.
 *
 * Stored form: `enc1.<keyId>.<iv>.<ciphertext+tag>` (base64url parts).
 * A blind index (HMAC-SHA256 under its own key) finds a row by an encrypted value's exact text.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';

const PREFIX = 'enc1';

export interface FieldCipher {
  encrypt(plaintext: string, purpose: string): string;
  decrypt(stored: string, purpose: string): string;
  /** Deterministic and one-way: for lookups by an encrypted value (e-mail at login). */
  blindIndex(value: string, purpose: string): string;
}

/** `DATA_ENCRYPTION_KEYS`: "keyId:base64key,…", newest first; each key 32 bytes. */
export const keyringSchema = z
  .string()
  .min(1)
  .transform((text, ctx) => {
    const keys = new Map<string, Buffer>();
    for (const part of text.split(',')) {
      const [id, encoded] = part.trim().split(':');
      const key = encoded ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
      if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || key.length !== 32) {
        ctx.addIssue({ code: 'custom', message: 'each key must be "id:<32 bytes in base64>"' });
        return z.NEVER;
      }
      keys.set(id, key);
    }
    return keys;
  });

export const indexKeySchema = z
  .string()
  .transform((text) => Buffer.from(text, 'base64'))
  .refine((key) => key.length >= 32, 'must be at least 32 bytes in base64');

export function fieldCipher(keys: ReadonlyMap<string, Buffer>, indexKey: Buffer): FieldCipher {
  const [currentId] = keys.keys();
  if (!currentId) throw new Error('the keyring is empty');
  return {
    encrypt(plaintext, purpose) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys.get(currentId)!, iv).setAAD(Buffer.from(purpose));
      const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return [PREFIX, currentId, iv.toString('base64url'), sealed.toString('base64url')].join('.');
    },
    decrypt(stored, purpose) {
      const [prefix, keyId, iv, sealed] = stored.split('.');
      const key = keyId ? keys.get(keyId) : undefined;
      if (prefix !== PREFIX || !key || !iv || !sealed) throw new Error(`cannot decrypt: unknown format or key "${keyId ?? ''}"`);
      const bytes = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(purpose));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
    },
    blindIndex(value, purpose) {
      return createHmac('sha256', indexKey).update(`${purpose}\n${value}`).digest('hex');
    },
  };
}

/** Optional values: null stays null. */
export const encryptNullable = (cipher: FieldCipher, value: string | null, purpose: string) => (value === null ? null : cipher.encrypt(value, purpose));
export const decryptNullable = (cipher: FieldCipher, value: string | null, purpose: string) => (value === null ? null : cipher.decrypt(value, purpose));
