import OAuth2Server from '@node-oauth/oauth2-server';
import { z } from 'zod';
import { configParts, loadConfigOrExit } from '@platform/shared/config';
import { createLogger } from '@platform/shared/logger';
import { baseServiceConfig, cipherFrom, dataProtectionConfig, runtimeFrom } from '@platform/shared/service/base-config';
import { runService, stopOnSignals } from '@platform/shared/service/run-service';
import { connectDatabase } from './data-access/database.ts';
import { authStore } from './data-access/auth-store.ts';
import { bcryptHasher } from './data-access/bcrypt-hasher.ts';
import { signingKeys } from './data-access/signing-keys.ts';
import { seedAdmin } from './domain/register-user.ts';
import { authRoutes } from './entry-points/http-routes.ts';
import { oauthModel } from './entry-points/oauth-model.ts';
import { oauthRoutes } from './entry-points/oauth-routes.ts';

const config = loadConfigOrExit(
  baseServiceConfig.extend(dataProtectionConfig.shape).extend({
    AUTH_ISSUER: z.string().min(1).default('urn:platform:auth'),
    AUTH_AUDIENCE: z.string().min(1).default('urn:platform:api'),
    ACCESS_TOKEN_SECONDS: configParts.positiveInt.max(3_600).default(300),
    REFRESH_TOKEN_SECONDS: configParts.positiveInt.default(14 * 86_400),
    BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(11),
    ADMIN_EMAIL: z.string().email().optional(),
    ADMIN_PASSWORD: z.string().min(10).optional(),
    FIRST_PARTY_CLIENT_ID: z.string().min(1).default('platform-web'),
  }),
);
const logger = createLogger('auth', config.LOG_LEVEL);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const cipher = cipherFrom(config);
const store = authStore(db.client, cipher);
const hasher = bcryptHasher(config.BCRYPT_COST);
const signer = signingKeys(db.client, cipher, { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, maxTokenTtlSeconds: config.ACCESS_TOKEN_SECONDS });
const lifetimes = { accessSeconds: config.ACCESS_TOKEN_SECONDS, refreshSeconds: config.REFRESH_TOKEN_SECONDS };

// The first-party app is a public client (no secret) that may use the password grant.
await store.upsertClient({ clientId: config.FIRST_PARTY_CLIENT_ID, kind: 'first-party', name: 'Platform first-party app', merchantId: null, grants: ['password', 'refresh_token'], secretHash: null });
if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) await seedAdmin(store, hasher, config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
await signer.jwks(); // a key exists before the first token is asked for

const oauth = new OAuth2Server({
  model: oauthModel(store, hasher, signer, lifetimes),
  accessTokenLifetime: lifetimes.accessSeconds,
  refreshTokenLifetime: lifetimes.refreshSeconds,
  alwaysIssueNewRefreshToken: true,
  requireClientAuthentication: { password: false, refresh_token: false, client_credentials: true },
});
const { internalAuth, ...runtime } = runtimeFrom(config);
const running = await runService({
  name: 'auth',
  ...runtime,
  internalAuth: { ...internalAuth, openPaths: ['/.well-known/jwks.json'] },
  logger,
  db,
  routers: [oauthRoutes(oauth, store), authRoutes(store, hasher, signer)],
  handlers: [],
});
stopOnSignals(running, logger);
