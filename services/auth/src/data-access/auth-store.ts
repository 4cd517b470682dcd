import { createHash } from 'node:crypto';
import { recordAudit } from '@platform/shared/audit/audit-log';
import type { FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { AuthStore, ClientKind, OAuthClient, RefreshStatus, StoredUser, User } from '../domain/ports.ts';
import type { PrismaClient } from './generated/client.ts';

const EMAIL = 'app_user.email';
/** E-mails match case-insensitively: the index is over the trimmed, lower-cased address. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

type UserRow = { id: string; emailEncrypted: string; passwordHash: string; role: string; merchantId: string | null };

export function authStore(client: PrismaClient, cipher: FieldCipher): AuthStore {
  const toUser = (row: UserRow): StoredUser => ({
    id: row.id,
    email: cipher.decrypt(row.emailEncrypted, EMAIL),
    role: row.role as User['role'],
    merchantId: row.merchantId,
    passwordHash: row.passwordHash,
  });
  const indexOf = (email: string) => cipher.blindIndex(normalizeEmail(email), EMAIL);
  return {
    async findUserByEmail(email) {
      const row = await client.user.findUnique({ where: { emailIndex: indexOf(email) } });
      return row && toUser(row);
    },
    async findUser(id) {
      const row = await client.user.findUnique({ where: { id } });
      if (!row) return null;
      const { passwordHash: _hash, ...user } = toUser(row);
      return user;
    },
    async insertUser(user) {
      const inserted = await client.$executeRawUnsafe(
        'INSERT INTO app_user (id, email_index, email_encrypted, password_hash, role, merchant_id) VALUES ($1::uuid, $2, $3, $4, $5, $6::uuid) ON CONFLICT (email_index) DO NOTHING',
        user.id,
        indexOf(user.email),
        cipher.encrypt(normalizeEmail(user.email), EMAIL),
        user.passwordHash,
        user.role,
        user.merchantId,
      );
      return inserted === 1;
    },
    async insertMerchant(merchant) {
      await client.merchant.create({ data: merchant });
    },
    async findMerchant(id) {
      return client.merchant.findUnique({ where: { id }, select: { id: true, name: true } });
    },
    async findClient(clientId) {
      const row = await client.oAuthClient.findUnique({ where: { clientId } });
      return row && ({ ...row, kind: row.kind as ClientKind, grants: row.grants.split(' ') } satisfies OAuthClient);
    },
    async upsertClient(oauthClient) {
      const data = { ...oauthClient, grants: oauthClient.grants.join(' ') };
      await client.oAuthClient.upsert({ where: { clientId: oauthClient.clientId }, create: data, update: data });
    },
    async insertRefreshToken(record, tokenHash) {
      await client.refreshToken.create({ data: { ...record, scope: record.scope.join(' '), tokenHash } });
    },
    async findRefreshToken(tokenHash) {
      const row = await client.refreshToken.findUnique({ where: { tokenHash } });
      return row && { ...row, scope: row.scope ? row.scope.split(' ') : [], status: row.status as RefreshStatus };
    },
    async markRotated(tokenHash) {
      const { count } = await client.refreshToken.updateMany({ where: { tokenHash, status: 'active' }, data: { status: 'rotated' } });
      return count === 1;
    },
    async revokeFamily(familyId) {
      const { count } = await client.refreshToken.updateMany({ where: { familyId, status: { not: 'revoked' } }, data: { status: 'revoked' } });
      return count;
    },
    async audit(entry) {
      await recordAudit(client, entry);
    },
  };
}
