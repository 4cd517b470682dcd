import { z } from 'zod';
import { configParts, loadConfigOrExit } from '@platform/shared/config';
import { createLogger } from '@platform/shared/logger';
import { baseServiceConfig, runtimeFrom } from '@platform/shared/service/base-config';
import { runService, stopOnSignals } from '@platform/shared/service/run-service';
import { connectDatabase } from './data-access/database.ts';
import { ledgerHandlers } from './entry-points/messaging-handlers.ts';
import { lockWalletsOfBatch } from './data-access/batch-locks.ts';
import { ledgerRoutes } from './entry-points/http-routes.ts';
import { transferLookupRoutes } from './entry-points/transfer-lookup-routes.ts';
import { ledgerQueries } from './data-access/ledger-queries.ts';
import { startHoldSweeper } from './entry-points/hold-sweeper.ts';
import { ledgerStore } from './data-access/ledger-store.ts';
import { reverseTransfer } from './domain/reverse-transfer.ts';
import { recordAudit } from '@platform/shared/audit/audit-log';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import { walletRoutes } from './entry-points/wallet-routes.ts';
import { holdStore } from './data-access/hold-store.ts';
import { AccountCache } from './data-access/account-cache.ts';

const config = loadConfigOrExit(
  baseServiceConfig.extend({
    // The default platform fee for merchants an admin has not priced: basis points + a fixed part.
    LEDGER_DEFAULT_FEE_BPS: z.coerce.number().int().min(0).max(10_000).default(290),
    LEDGER_DEFAULT_FEE_FIXED_MINOR: z.coerce.number().int().min(0).default(30),
    LEDGER_HOT_ACCOUNT_SLOTS: configParts.positiveInt.max(256).default(16),
    HOLD_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
  }),
);
const logger = createLogger('ledger', config.LOG_LEVEL);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const settings = { defaultFee: { bps: config.LEDGER_DEFAULT_FEE_BPS, fixedMinor: BigInt(config.LEDGER_DEFAULT_FEE_FIXED_MINOR) }, hotAccountSlots: config.LEDGER_HOT_ACCOUNT_SLOTS, accounts: new AccountCache() };
const queries = ledgerQueries(db.client);
const running = await runService({
  name: 'ledger',
  ...runtimeFrom(config),
  logger,
  db,
  routers: [ledgerRoutes(queries, (transferId, actor, correlationId) => db.transaction(async (tx) => {
    const reversed = await reverseTransfer({ store: ledgerStore(tx, settings), publish: outboxPublisher(tx, { source: '/services/ledger', correlationId }), cause: { eventId: `request:${correlationId}`, correlationId } }, transferId);
    await recordAudit(tx, { actor, action: 'transfer.reversed', target: `transfer:${transferId}`, outcome: reversed ? 'success' : 'failure' });
    return reversed;
  })), walletRoutes({
    transaction: (correlationId, work) => db.transaction((tx) => work({ store: ledgerStore(tx, settings), publish: outboxPublisher(tx, { source: '/services/ledger', correlationId }), cause: { eventId: `request:${correlationId}`, correlationId } }, holdStore(tx))),
    wallets: async (customerId) => (await queries.accounts({ type: 'customer_wallet', ownerKey: customerId })).map(({ currency, posted, pending, available }) => ({ currency, posted, pending, available })),
  }), transferLookupRoutes(queries)],
  startBackground: () => [startHoldSweeper(db, config.HOLD_SWEEP_INTERVAL_MS, logger)],
  handlers: ledgerHandlers(settings),
  lockBatchRows: lockWalletsOfBatch,
});
stopOnSignals(running, logger);
