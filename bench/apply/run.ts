/**
 * `pnpm bench:apply [orders]`: the CPU one lone saga event costs to apply, in the order service's
 * own handlers against a fresh order database, both ways a consumer applies it:
 *   - transaction: BEGIN, admission (parking check and inbox), the move, the outbox row, COMMIT;
 *   - statement:   the same as one statement (shared/src/consumer/one-statement.ts).
 * Each order gets `inventory.reserved` (a middle move) then `inventory.committed` (the final one,
 * which reads the order and announces it), two orders at a time, as a consumer's two lanes would.
 * Reported per event: the Node process's CPU and the PostgreSQL backends' (from /proc), and the
 * wall time; each way twice, alternating, so a slow moment of the machine shows as disagreement.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { fieldCipher } from '../../shared/src/crypto/field-cipher.ts';
import { createEnvelope, type Envelope } from '../../shared/src/envelope.ts';
import { InventoryCommitted, InventoryReserved } from '../../shared/src/events/catalog.ts';
import { applyInOneStatement } from '../../shared/src/consumer/one-statement.ts';
import { admitOnce, handlerContext } from '../../shared/src/consumer/apply-steps.ts';
import { envelopesOf, outboxPublisher } from '../../shared/src/outbox/write-events.ts';
import { PgSql, sqlTransaction } from '../../shared/src/service/sql-transaction.ts';
import { orderStore } from '../../services/order/src/data-access/order-store.ts';
import { placeOrder } from '../../services/order/src/domain/place-order.ts';
import { orderHandlers } from '../../services/order/src/entry-points/messaging-handlers.ts';
import { createOrderDatabase } from '../../services/order/test/support/order-database.ts';

const orders = Number(process.argv[2] ?? 1_500);
const SOURCE = '/services/order';
const database = await createOrderDatabase();
const { pool } = database;
const cipher = fieldCipher(new Map([['k1', randomBytes(32)]]), randomBytes(32));
const handlers = orderHandlers(cipher);
const handlerOf = (envelope: Envelope) => handlers.find((handler) => handler.definition.type === envelope.type)!;

const ways: Record<'transaction' | 'statement', (envelope: Envelope) => Promise<unknown>> = {
  transaction: (envelope) =>
    sqlTransaction(pool, async (tx) => {
      const admitted = await admitOnce(tx, 'order', envelope, JSON.stringify(envelope), undefined, 1);
      if (admitted.admission === 'apply') await handlerOf(envelope).handle(envelope.data, handlerContext(tx, envelope, (cause) => outboxPublisher(tx, { source: SOURCE, cause }), () => undefined));
    }),
  statement: (envelope) => applyInOneStatement(new PgSql(pool), { queue: 'order', source: SOURCE }, envelope, 1, handlerOf(envelope).inOneStatement!, envelope.data, () => undefined),
};

async function placed(): Promise<string> {
  const command = { orderId: randomUUID(), idempotencyKey: randomUUID(), customerId: randomUUID(), merchantId: null, productId: randomUUID(), quantity: 1, payment: { method: 'WALLET' as const }, customerEmail: 'buyer@example.com' };
  return (await placeOrder({ store: orderStore(new PgSql(pool), cipher), envelopes: envelopesOf({ source: SOURCE }) }, command)).order.id;
}

function eventsOf(orderId: string): [Envelope, Envelope] {
  const reserved = { orderId, reservationId: randomUUID(), productId: randomUUID(), quantity: 1, amountMinor: 1500, currency: 'EUR', expiresAt: new Date().toISOString(), requestedBy: 'order-saga' as const };
  return [
    createEnvelope('/services/inventory', { definition: InventoryReserved, subject: orderId, data: reserved }),
    createEnvelope('/services/inventory', { definition: InventoryCommitted, subject: orderId, data: { orderId, reservationId: reserved.reservationId } }),
  ];
}

/** CPU milliseconds the backends of this database have used (clock ticks of 10 ms). */
async function backendCpuMs(client: pg.Pool): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  let ticks = 0;
  for (const { pid } of rows) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}

console.log(`${orders} orders, two events each, two at a time; per event:`);
for (const way of ['transaction', 'statement', 'transaction', 'statement'] as const) {
  const pairs = (await Promise.all(Array.from({ length: orders }, placed))).map(eventsOf);
  const [pgBefore, nodeBefore, started] = [await backendCpuMs(pool), process.cpuUsage(), performance.now()];
  let next = 0;
  const lane = async () => {
    for (let pair = pairs[next++]; pair; pair = pairs[next++]) for (const envelope of pair) await ways[way](envelope);
  };
  await Promise.all([lane(), lane()]);
  const [node, wall, pgMs] = [process.cpuUsage(nodeBefore), performance.now() - started, (await backendCpuMs(pool)) - pgBefore];
  const events = orders * 2;
  console.log(`  ${way.padEnd(11)}  Node ${((node.user + node.system) / 1000 / events).toFixed(3)} ms  PostgreSQL ${(pgMs / events).toFixed(3)} ms  wall ${(wall / events).toFixed(3)} ms`);
}
await database.drop();
