/** What the auth use cases need, as plain data. data-access/ implements it. */
import type { AuditEntry } from '@platform/shared/audit/audit-log';
import type { Role } from '@platform/shared/http/identity';

export interface User {
  id: string;
  email: string;
  role: Exclude<Role, 'internal'>;
  merchantId: string | null;
}

export interface StoredUser extends User {
  passwordHash: string;
}

export type ClientKind = 'first-party' | 'merchant' | 'internal';

export interface OAuthClient {
  clientId: string;
  kind: ClientKind;
  name: string;
  merchantId: string | null;
  grants: string[];
  /** SHA-256 of the secret; null for a public client (the first-party app). */
  secretHash: string | null;
}

export type RefreshStatus = 'active' | 'rotated' | 'revoked';

export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  userId: string;
  clientId: string;
  scope: string[];
  status: RefreshStatus;
  expiresAt: Date;
}

export interface AuthStore {
  findUserByEmail(email: string): Promise<StoredUser | null>;
  findUser(id: string): Promise<User | null>;
  /** false when the e-mail is taken. */
  insertUser(user: StoredUser): Promise<boolean>;
  insertMerchant(merchant: { id: string; name: string }): Promise<void>;
  findMerchant(id: string): Promise<{ id: string; name: string } | null>;
  findClient(clientId: string): Promise<OAuthClient | null>;
  upsertClient(client: OAuthClient): Promise<void>;
  insertRefreshToken(record: RefreshTokenRecord, tokenHash: string): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /** active → rotated; false if it was no longer active (used or revoked meanwhile). */
  markRotated(tokenHash: string): Promise<boolean>;
  /** Revokes every token of the family; returns how many were still usable. */
  revokeFamily(familyId: string): Promise<number>;
  audit(entry: AuditEntry): Promise<void>;
}

/** bcrypt behind an interface: the domain decides when, the adapter how. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Compares against `hash`, or against a dummy hash of equal cost when there is no user. */
  verify(password: string, hash: string | null): Promise<boolean>;
}
