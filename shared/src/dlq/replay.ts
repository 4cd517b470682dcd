/**
 * Moves messages from a service's DLQ back to the queue that failed them. The DLQ is read
 * with basic.get, so every message stays unacked until it is either confirmed into its
 * original queue (then acked) or returned to the DLQ at the end (nacked with requeue). A
 * replayed message keeps its message id, so a consumer that already applied it skips it.
 */
import type { ChannelModel, ConfirmChannel, GetMessage } from 'amqplib';
import { sendConfirmed } from '../amqp/send-confirmed.ts';
import { dlqName } from '../amqp/topology.ts';
import { HEADERS } from '../consumer/failure-headers.ts';
import type { Logger } from '../logger.ts';

export interface ReplayFilter {
  /** Only these messages (the console's selection). */
  messageIds?: readonly string[];
  eventType?: string;
  subject?: string;
  failedAfter?: Date;
  failedBefore?: Date;
}

export interface ReplayOptions {
  /** The service queue whose DLQ is replayed. */
  queue: string;
  filter?: ReplayFilter;
  dryRun?: boolean;
  /** Messages per second at most (default: unlimited). */
  ratePerSecond?: number;
  /** Stop after this many matches. */
  limit?: number;
  logger: Logger;
}

export interface ReplayEntry {
  messageId: string | undefined;
  eventType: string | undefined;
  subject: string | undefined;
  failedAt: string | undefined;
  firstFailedAt: string | undefined;
  reason: string | undefined;
  attempts: number | undefined;
  action: 'replayed' | 'would-replay' | 'kept';
}

export interface ReplayReport {
  examined: number;
  matched: number;
  replayed: number;
  entries: ReplayEntry[];
}

export async function replayDlq(connection: Pick<ChannelModel, 'createConfirmChannel'>, options: ReplayOptions): Promise<ReplayReport> {
  const channel = await connection.createConfirmChannel();
  const report: ReplayReport = { examined: 0, matched: 0, replayed: 0, entries: [] };
  const pauseMs = options.ratePerSecond ? 1_000 / options.ratePerSecond : 0;
  try {
    // Only what is there now: a message failing again while we replay is not read twice.
    const { messageCount } = await channel.checkQueue(dlqName(options.queue));
    for (let i = 0; i < messageCount; i++) {
      const message = await channel.get(dlqName(options.queue), { noAck: false });
      if (!message) break;
      report.examined += 1;
      const entry = describe(message);
      const wanted = matches(entry, options.filter) && (options.limit === undefined || report.matched < options.limit);
      if (!wanted) {
        report.entries.push({ ...entry, action: 'kept' });
        continue;
      }
      report.matched += 1;
      if (options.dryRun) {
        report.entries.push({ ...entry, action: 'would-replay' });
        options.logger.info(entry, 'would replay');
        continue;
      }
      await sendBack(channel, options.queue, message);
      channel.ack(message);
      report.replayed += 1;
      report.entries.push({ ...entry, action: 'replayed' });
      options.logger.info(entry, 'replayed');
      if (pauseMs) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  } finally {
    // Whatever was not replayed goes back to the DLQ (a closed channel has already given it back).
    try {
      channel.nackAll(true);
    } catch {
      // closed: nothing left in flight
    }
    await channel.close().catch(() => undefined);
  }
  return report;
}

export function describe(message: GetMessage): Omit<ReplayEntry, 'action'> {
  const headers = message.properties.headers ?? {};
  let envelope: { type?: string; subject?: string } = {};
  try {
    envelope = JSON.parse(message.content.toString('utf8')) as typeof envelope;
  } catch {
    // Unparseable bodies are listed too; they can be replayed only unfiltered.
  }
  return {
    messageId: message.properties.messageId as string | undefined,
    eventType: envelope.type ?? (message.properties.type as string | undefined),
    subject: envelope.subject,
    failedAt: headers[HEADERS.failedAt] as string | undefined,
    firstFailedAt: headers[HEADERS.firstFailedAt] as string | undefined,
    reason: headers[HEADERS.failureReason] as string | undefined,
    attempts: headers[HEADERS.attempt] as number | undefined,
  };
}

export function matches(entry: Omit<ReplayEntry, 'action'>, filter: ReplayFilter = {}): boolean {
  if (filter.messageIds && !(entry.messageId && filter.messageIds.includes(entry.messageId))) return false;
  if (filter.eventType && entry.eventType !== filter.eventType) return false;
  if (filter.subject && entry.subject !== filter.subject) return false;
  const failedAt = entry.failedAt ? new Date(entry.failedAt) : undefined;
  if (filter.failedAfter && !(failedAt && failedAt >= filter.failedAfter)) return false;
  if (filter.failedBefore && !(failedAt && failedAt <= filter.failedBefore)) return false;
  return true;
}

/** Back to the queue that failed it, as a first attempt, with its original route kept. */
function sendBack(channel: ConfirmChannel, queue: string, message: GetMessage): Promise<void> {
  const headers = { ...message.properties.headers };
  const target = String(headers[HEADERS.originalQueue] ?? queue);
  delete headers[HEADERS.failureKind];
  delete headers[HEADERS.failedAt];
  headers[HEADERS.attempt] = 1;
  headers[HEADERS.replayCount] = Number(headers[HEADERS.replayCount] ?? 0) + 1;
  return sendConfirmed(channel, target, message.content, { ...message.properties, headers });
}
