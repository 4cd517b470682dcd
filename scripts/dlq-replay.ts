/**
 * `pnpm dlq:replay`: the replay CLI, connected as the service whose DLQ it replays. Dead letters
 * carry that service's broker user as their `user_id` (the consumer republished them under it),
 * and RabbitMQ accepts a message only from the user it names. On a developer's machine the
 * password comes from .secrets/dev.json; elsewhere set AMQP_URL to the service's credentials.
 */
import { devSecrets } from './dev-secrets.ts';

const queueAt = process.argv.indexOf('--queue');
const queue = queueAt >= 0 ? process.argv[queueAt + 1] : undefined;
const password = queue ? devSecrets().brokerPasswords[queue] : undefined;
if (!process.env.AMQP_URL && queue && password) {
  process.env.AMQP_URL = `amqp://${encodeURIComponent(queue)}:${encodeURIComponent(password)}@127.0.0.1:5672`;
}
await import('../shared/src/dlq/replay-cli.ts');
