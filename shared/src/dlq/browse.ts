/**
 * Reads a service's DLQ without taking anything out of it: each message is fetched unacked with
 * basic.get and all of them are given back (nack with requeue) before the channel closes, so a
 * browse never loses or replays a message. The console's list; bodies come with personal and card
 * data redacted.
 */
import type { ChannelModel } from 'amqplib';
import { dlqName } from '../amqp/topology.ts';
import { redactEventData } from '../outbox/retention.ts';
import { describe, matches, type ReplayEntry, type ReplayFilter } from './replay.ts';

export interface DlqMessage extends Omit<ReplayEntry, 'action'> {
  failureKind: string | undefined;
  replayCount: number;
  /** The envelope with its data's personal and card fields redacted (or the raw text, cut short). */
  body: unknown;
}

export interface DlqListing {
  queue: string;
  depth: number;
  /** The first `limit` messages that match (the DLQ is read from its head). */
  messages: DlqMessage[];
}

/** At most this many are read per browse: a DLQ of a million messages is paged by its filter. */
export const BROWSE_CAP = 500;

export async function browseDlq(connection: Pick<ChannelModel, 'createChannel'>, queue: string, filter: ReplayFilter, limit: number): Promise<DlqListing> {
  const channel = await connection.createChannel();
  const messages: DlqMessage[] = [];
  try {
    const { messageCount } = await channel.checkQueue(dlqName(queue));
    for (let read = 0; read < Math.min(messageCount, BROWSE_CAP) && messages.length < limit; read++) {
      const message = await channel.get(dlqName(queue), { noAck: false });
      if (!message) break;
      const entry = describe(message);
      if (!matches(entry, filter)) continue;
      const headers = message.properties.headers ?? {};
      messages.push({ ...entry, failureKind: headers['x-failure-kind'] as string | undefined, replayCount: Number(headers['x-replay-count'] ?? 0), body: redactedBody(message.content) });
    }
    return { queue, depth: messageCount, messages };
  } finally {
    try {
      channel.nackAll(true);
    } catch {
      // closed: the broker has given them back already
    }
    await channel.close().catch(() => undefined);
  }
}

function redactedBody(content: Buffer): unknown {
  try {
    const envelope = JSON.parse(content.toString('utf8')) as Record<string, unknown>;
    return { ...envelope, data: redactEventData(envelope.data) };
  } catch {
    return content.toString('utf8').slice(0, 2_000);
  }
}
