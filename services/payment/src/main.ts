import { configParts, loadConfigOrExit } from '@platform/shared/config';
import { createLogger } from '@platform/shared/logger';
import { baseServiceConfig, cipherFrom, dataProtectionConfig, runtimeFrom } from '@platform/shared/service/base-config';
import { runService, stopOnSignals } from '@platform/shared/service/run-service';
import { connectDatabase } from './data-access/database.ts';
import { simulatedCardGateway } from './data-access/simulated-card-gateway.ts';
import { paymentHandlers } from './entry-points/messaging-handlers.ts';
import { paymentRoutes } from './entry-points/http-routes.ts';
import { eraseStaleCardTokens, paymentWithOperations } from './data-access/payment-queries.ts';
import { paymentStore } from './data-access/payment-store.ts';
import { cardVault } from './data-access/card-vault.ts';
import { fieldCipher, keyringSchema } from '@platform/shared/crypto/field-cipher';
import { startIntentSweeper } from './entry-points/intent-sweeper.ts';

const config = loadConfigOrExit(baseServiceConfig.extend(dataProtectionConfig.shape).extend({ GATEWAY_SLOW_MS: configParts.positiveInt.default(3_000), INTENT_TOKEN_RETENTION_HOURS: configParts.positiveInt.default(48), INTENT_SWEEP_INTERVAL_MS: configParts.positiveInt.default(60_000), CARD_ENCRYPTION_KEYS: keyringSchema }));
const logger = createLogger('payment', config.LOG_LEVEL);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const cipher = cipherFrom(config);
// Card numbers have a keyring of their own: whoever holds the data keys still cannot read them.
const vault = cardVault(db.client, fieldCipher(config.CARD_ENCRYPTION_KEYS, config.DATA_INDEX_KEY));
const running = await runService({
  name: 'payment',
  ...runtimeFrom(config),
  logger,
  db,
  routers: [paymentRoutes((orderId) => paymentWithOperations(db.client, orderId), paymentStore(db.client, cipher), vault)],
  // The simulated gateway stands for a remote system: its own connections, never the pool our
  // handlers' transactions hold (sharing it deadlocks: every connection held by a transaction
  // waiting for the gateway's query).
  startBackground: () => [startIntentSweeper(() => eraseStaleCardTokens(db.client, config.INTENT_TOKEN_RETENTION_HOURS), logger, config.INTENT_SWEEP_INTERVAL_MS)],
  handlers: paymentHandlers(simulatedCardGateway(connectDatabase(config.DATABASE_URL, 4).client, config.GATEWAY_SLOW_MS, vault), cipher),
});
stopOnSignals(running, logger);
