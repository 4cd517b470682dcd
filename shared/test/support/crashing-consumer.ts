/**
 * A consumer process whose handler kills the process on one message (sequence 666), as a native
 * crash or an out-of-memory would: it never acks, nacks or retries it. Every other message is
 * applied normally. Run by consumer-crash-limit.test.ts, which restarts it like a supervisor.
 */
import { z } from 'zod';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineEvent } from '../../src/events/define-event.ts';
import { on } from '../../src/consumer/handler.ts';
import { startConsumer } from '../../src/consumer/start-consumer.ts';
import { createLogger } from '../../src/logger.ts';
import { PrismaClient } from '../generated/testbed/client.ts';

const definition = defineEvent(process.env.EVENT_TYPE!, z.object({ sequence: z.number().int().nonnegative() }));
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL! }) });
type Tx = Parameters<Parameters<typeof prisma.$transaction>[0]>[0];

await startConsumer<Tx>({
  amqpUrl: process.env.AMQP_URL!,
  queue: process.env.QUEUE!,
  source: '/services/testbed',
  handlers: [
    on<typeof definition, Tx>(definition, async (data, { tx, envelope }) => {
      if (data.sequence === 666) process.exit(1);
      await tx.appliedEffect.create({ data: { consumer: 'crash-test', aggregateId: envelope.subject, eventId: envelope.id, sequence: data.sequence } });
    }),
  ],
  transaction: (work) => prisma.$transaction(work),
  retryDelaysMs: [100],
  prefetch: 1,
  logger: createLogger('crashing-consumer', 'silent'),
});
process.stdout.write('consuming\n');
