/**
 * pnpm dlq:replay --queue <service queue> [--type T] [--subject ID] [--since ISO] [--until ISO]
 *                 [--limit N] [--rate N/s] [--dry-run] [--log FILE]
 * Lists what it examined, replays the matches (unless --dry-run), and appends a JSON line per
 * message to --log. Exit code 2 for bad arguments.
 */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import { createLogger } from '../logger.ts';
import { replayDlq, type ReplayFilter } from './replay.ts';

function fail(message: string): never {
  process.stderr.write(`dlq:replay: ${message}\n`);
  process.exit(2);
}

function parseDate(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) fail(`${flag} must be an ISO date-time, got "${value}"`);
  return date;
}

function parsePositive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!(number > 0)) fail(`${flag} must be a positive number, got "${value}"`);
  return number;
}

let args;
try {
  args = parseArgs({
    options: {
      queue: { type: 'string' },
      type: { type: 'string' },
      subject: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string' },
      rate: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      log: { type: 'string' },
    },
  }).values;
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (!args.queue) fail('--queue is required (the service queue whose DLQ to replay)');

const filter: ReplayFilter = {
  ...(args.type ? { eventType: args.type } : {}),
  ...(args.subject ? { subject: args.subject } : {}),
};
const failedAfter = parseDate(args.since, '--since');
const failedBefore = parseDate(args.until, '--until');
if (failedAfter) filter.failedAfter = failedAfter;
if (failedBefore) filter.failedBefore = failedBefore;
const limit = parsePositive(args.limit, '--limit');
const rate = parsePositive(args.rate, '--rate');

const logger = createLogger('dlq-replay', process.env.LOG_LEVEL ?? 'warn');
const connection = await amqp.connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
try {
  const report = await replayDlq(connection, {
    queue: args.queue,
    filter,
    dryRun: args['dry-run'],
    logger,
    ...(limit ? { limit } : {}),
    ...(rate ? { ratePerSecond: rate } : {}),
  });
  for (const entry of report.entries) {
    process.stdout.write(`${entry.action.padEnd(12)} ${entry.messageId ?? '-'} ${entry.eventType ?? '-'} subject=${entry.subject ?? '-'} failed=${entry.failedAt ?? '-'} attempts=${entry.attempts ?? '-'} reason=${entry.reason ?? '-'}\n`);
    if (args.log && entry.action !== 'kept') appendFileSync(args.log, `${JSON.stringify({ at: new Date().toISOString(), queue: args.queue, ...entry })}\n`);
  }
  process.stdout.write(`examined ${report.examined}, matched ${report.matched}, replayed ${report.replayed}${args['dry-run'] ? ' (dry run)' : ''}\n`);
} finally {
  await connection.close();
}
