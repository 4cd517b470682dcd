/**
 * Who is calling, as the gateway verified it from the access token, carried to the services in
 * one header. The header is covered by the internal signature (internal-auth.ts), so a caller
 * that reaches a service port directly cannot name itself someone else.
 */
import { z } from 'zod';
import { AppError } from '../errors.ts';

export const ROLES = ['customer', 'merchant', 'admin', 'internal'] as const;
export type Role = (typeof ROLES)[number];

const identitySchema = z.object({
  sub: z.string().min(1).max(200),
  role: z.enum(ROLES),
  merchantId: z.string().uuid().nullable(),
  scopes: z.array(z.string().max(100)).max(50),
});

export type Identity = z.infer<typeof identitySchema>;

export const IDENTITY_HEADER = 'x-platform-identity';

export function encodeIdentity(identity: Identity): string {
  return Buffer.from(JSON.stringify(identity), 'utf8').toString('base64url');
}

export function decodeIdentity(header: string): Identity {
  try {
    return identitySchema.parse(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('unauthorized', 'the identity header is malformed');
  }
}

/** The verified caller of a request, or a 401 when the request carries none. */
export function requireIdentity(state: { identity?: Identity | null }): Identity {
  if (!state.identity) throw new AppError('unauthorized', 'this route needs an authenticated caller');
  return state.identity;
}

/** The caller, if it has one of `roles`; otherwise 401 (no caller) or 403. */
export function requireRole(state: { identity?: Identity | null }, ...roles: Role[]): Identity {
  const identity = requireIdentity(state);
  if (!roles.includes(identity.role)) throw new AppError('forbidden', `this route is for ${roles.join(' or ')} callers`);
  return identity;
}

/** Audit-log actor name for an identity (ids only: no personal data in the audit trail). */
export function actorOf(identity: Identity | null | undefined): string {
  if (!identity) return 'anonymous';
  return identity.role === 'internal' ? `client:${identity.sub}` : `${identity.role}:${identity.sub}`;
}
