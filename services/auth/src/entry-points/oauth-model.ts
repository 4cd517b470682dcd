/**
 * The model @node-oauth/oauth2-server asks for the password, client_credentials and
 * refresh_token grants. The library runs the grant machine (RFC 6749 parameters, client
 * authentication, error shapes); every decision is a domain use case.
 */
import { randomUUID } from 'node:crypto';
import type OAuth2Server from '@node-oauth/oauth2-server';
import type { Role } from '@platform/shared/http/identity';
import type { TokenSigner } from '../data-access/signing-keys.ts';
import type { AuthStore, PasswordHasher } from '../domain/ports.ts';
import { authenticateUser } from '../domain/authenticate-user.ts';
import { findUsableRefreshToken, refreshTokenHash, retireRefreshToken } from '../domain/refresh-tokens.ts';
import { secretMatches } from '../domain/secrets.ts';
import { SCOPES_BY_ROLE } from '../domain/scopes.ts';

export interface TokenLifetimes {
  accessSeconds: number;
  refreshSeconds: number;
}

/** What the grant knows about the subject of a token. */
interface Subject {
  id: string;
  role: Role;
  merchantId: string | null;
  /** The refresh-token family this grant continues (refresh) or starts (password). */
  familyId?: string;
}

type Model = OAuth2Server.PasswordModel & OAuth2Server.RefreshTokenModel & OAuth2Server.ClientCredentialsModel;

export function oauthModel(store: AuthStore, hasher: PasswordHasher, signer: TokenSigner, lifetimes: TokenLifetimes): Model {
  const scopesOf = (subject: Subject): string[] => SCOPES_BY_ROLE[subject.role] ?? [];
  return {
    // The library's resource-server side; the gateway verifies the JWTs itself instead.
    async getAccessToken() {
      return null;
    },
    async getClient(clientId, clientSecret) {
      const client = await store.findClient(clientId);
      if (!client) return null;
      if (client.secretHash && !(clientSecret && secretMatches(clientSecret, client.secretHash))) return null;
      return { id: client.clientId, grants: client.grants, kind: client.kind, merchantId: client.merchantId, accessTokenLifetime: lifetimes.accessSeconds, refreshTokenLifetime: lifetimes.refreshSeconds };
    },
    async getUser(username, password) {
      const user = await authenticateUser(store, hasher, username, password);
      return user && ({ id: user.id, role: user.role, merchantId: user.merchantId } satisfies Subject);
    },
    async getUserFromClient(client) {
      const role: Role = client.kind === 'merchant' ? 'merchant' : 'internal';
      return { id: client.id, role, merchantId: (client.merchantId as string | null) ?? null } satisfies Subject;
    },
    async validateScope(user) {
      return scopesOf(user as Subject);
    },
    async generateAccessToken(client, user) {
      const subject = user as Subject;
      return signer.sign({ sub: subject.id, role: subject.role, scope: scopesOf(subject).join(' '), client_id: client.id, ...(subject.merchantId ? { merchant_id: subject.merchantId } : {}) }, lifetimes.accessSeconds);
    },
    async saveToken(token, client, user) {
      const subject = user as Subject;
      if (token.refreshToken && token.refreshTokenExpiresAt) {
        await store.insertRefreshToken(
          { id: randomUUID(), familyId: subject.familyId ?? randomUUID(), userId: subject.id, clientId: client.id, scope: token.scope ?? [], status: 'active', expiresAt: token.refreshTokenExpiresAt },
          refreshTokenHash(token.refreshToken),
        );
      }
      return { ...token, client, user };
    },
    async getRefreshToken(refreshToken) {
      const record = await findUsableRefreshToken(store, refreshToken, new Date());
      const user = record && (await store.findUser(record.userId));
      if (!record || !user) return null;
      const subject: Subject = { id: user.id, role: user.role, merchantId: user.merchantId, familyId: record.familyId };
      return { refreshToken, refreshTokenExpiresAt: record.expiresAt, scope: record.scope, client: { id: record.clientId, grants: [] }, user: subject, record };
    },
    async revokeToken(token) {
      return retireRefreshToken(store, token.refreshToken, token.record as Parameters<typeof retireRefreshToken>[2]);
    },
  };
}
