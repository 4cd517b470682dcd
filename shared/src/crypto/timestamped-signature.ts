/**
 * The gateway's webhook signature, in the style of the big card processors: HMAC-SHA256 over
 * `timestamp.payload` with a shared secret, sent as `t=<unix seconds>,v1=<hex>`. The receiver
 * checks it on the raw body with a constant-time compare and refuses old timestamps, so a
 * captured delivery cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'gateway-signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

const hmacHex = (secret: string, timestamp: number, payload: string | Buffer) =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(payload).digest('hex');

export function signPayload(secret: string, payload: string, now = Date.now()): string {
  const timestamp = Math.floor(now / 1000);
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, payload)}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'malformed' | 'too-old' | 'mismatch' };

/** Accepts any of several `v1` values (a secret being rotated signs with both). */
export function verifySignature(secret: string, header: string, rawBody: Buffer, now = Date.now(), toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): SignatureCheck {
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestampText = parts.find(([key]) => key === 't')?.[1];
  const signatures = parts.filter(([key, value]) => key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value)).map(([, value]) => Buffer.from(value!, 'hex'));
  if (!timestampText || !/^\d{1,12}$/.test(timestampText) || signatures.length === 0) return { ok: false, reason: 'malformed' };
  const timestamp = Number(timestampText);
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: 'too-old' };
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  return signatures.some((signature) => timingSafeEqual(signature, expected)) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
