/** In-memory ports: these tests check the use cases' decisions, not storage. */
import type { AuditEntry } from '@platform/shared/audit/audit-log';
import type { AuthStore, PasswordHasher, RefreshTokenRecord, StoredUser } from '../src/domain/ports.ts';

export function memoryStore() {
  const users = new Map<string, StoredUser>();
  const tokens = new Map<string, RefreshTokenRecord>();
  const audit: AuditEntry[] = [];
  const store: AuthStore = {
    findUserByEmail: async (email) => [...users.values()].find((user) => user.email === email) ?? null,
    findUser: async (id) => users.get(id) ?? null,
    insertUser: async (user) => {
      if ([...users.values()].some((other) => other.email === user.email)) return false;
      users.set(user.id, user);
      return true;
    },
    insertMerchant: async () => undefined,
    findMerchant: async () => null,
    findClient: async () => null,
    upsertClient: async () => undefined,
    insertRefreshToken: async (record, hash) => void tokens.set(hash, record),
    findRefreshToken: async (hash) => tokens.get(hash) ?? null,
    markRotated: async (hash) => {
      const record = tokens.get(hash);
      if (record?.status !== 'active') return false;
      record.status = 'rotated';
      return true;
    },
    revokeFamily: async (familyId) => {
      let count = 0;
      for (const record of tokens.values()) {
        if (record.familyId === familyId && record.status !== 'revoked') {
          record.status = 'revoked';
          count += 1;
        }
      }
      return count;
    },
    audit: async (entry) => void audit.push(entry),
  };
  return { store, users, tokens, audit };
}

/** A hasher that counts comparisons: equal work for every login attempt is the point. */
export function countingHasher() {
  const compared: Array<string | null> = [];
  const hasher: PasswordHasher = {
    hash: async (password) => `hashed:${password}`,
    verify: async (password, hash) => {
      compared.push(hash);
      return hash === `hashed:${password}`;
    },
  };
  return { hasher, compared };
}
