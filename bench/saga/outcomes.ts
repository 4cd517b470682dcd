/**
 * Watches the broker for orders reaching a final state (order.completed / order.cancelled, with
 * the cancellation reason), the moment each is seen: latency is measured to it, not to a poll.
 * With `everyEvent`, every other event is seen too, the first time of each type per order (`seen`,
 * for timeline.ts). Off by default: each extra delivery costs the broker CPU the run measures.
 */
import amqp from 'amqplib';
import { EVENTS_EXCHANGE } from '../../shared/src/outbox/write-events.ts';
import { OrderCancelled, OrderCompleted } from '../../shared/src/events/catalog.ts';

export interface Final {
  at: number;
  completed: boolean;
  reason?: string;
}

export async function watchOutcomes(amqpUrl: string, { everyEvent = false } = {}) {
  const finished = new Map<string, Final>();
  const seen = new Map<string, Map<string, number>>();
  const connection = await amqp.connect(amqpUrl);
  const channel = await connection.createChannel();
  const { queue } = await channel.assertQueue('', { exclusive: true });
  for (const type of everyEvent ? ['#'] : [OrderCompleted.type, OrderCancelled.type]) await channel.bindQueue(queue, EVENTS_EXCHANGE, type);
  await channel.consume(queue, (message) => {
    if (!message) return;
    const event = JSON.parse(message.content.toString()) as { subject: string; type: string; data: { reason?: string } };
    if (everyEvent) {
      const steps = seen.get(event.subject) ?? seen.set(event.subject, new Map()).get(event.subject)!;
      if (!steps.has(event.type)) steps.set(event.type, performance.now());
    }
    if (event.type !== OrderCompleted.type && event.type !== OrderCancelled.type) return;
    finished.set(event.subject, { at: performance.now(), completed: event.type === OrderCompleted.type, ...(event.data.reason ? { reason: event.data.reason } : {}) });
  }, { noAck: true });
  return {
    finished,
    seen,
    /** Resolves when every one of these orders is final, or the time is up. */
    async waitFor(ids: Iterable<string>, timeoutMs: number): Promise<void> {
      const deadline = performance.now() + timeoutMs;
      const pending = [...ids];
      while (pending.some((id) => !finished.has(id)) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    },
    close: () => connection.close(),
  };
}

export type OutcomeWatch = Awaited<ReturnType<typeof watchOutcomes>>;
