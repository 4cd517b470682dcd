/**
 * The servers the tests reach. Named by the environment (PG_URL or DATABASE_URL, REDIS_URL,
 * AMQP_URL): those. Otherwise, where a Docker engine answers (a laptop), fresh PostgreSQL, Redis
 * and RabbitMQ containers (testcontainers' modules) for the run; where none does (these
 * machines, CI), the local servers on their standard ports. The environment it returns is what
 * the test processes get; TEST_SERVERS tells tests that stop and start the machine's own servers
 * (the chaos run, the cluster and replica tests) whether those are there to stop.
 */
import { getContainerRuntimeClient } from 'testcontainers';

export interface TestServers {
  kind: 'environment' | 'containers' | 'local';
  env: Record<string, string>;
  stop(): Promise<void>;
}

const none = async () => undefined;

export async function testServers(env: NodeJS.ProcessEnv = process.env): Promise<TestServers> {
  if (env.PG_URL || env.DATABASE_URL || env.REDIS_URL || env.AMQP_URL) return { kind: 'environment', env: { TEST_SERVERS: 'environment' }, stop: none };
  if (env.TESTCONTAINERS === '0' || !(await getContainerRuntimeClient().then(() => true, () => false))) return { kind: 'local', env: { TEST_SERVERS: 'local' }, stop: none };
  const [{ PostgreSqlContainer }, { RedisContainer }, { RabbitMQContainer }] = await Promise.all([import('@testcontainers/postgresql'), import('@testcontainers/redis'), import('@testcontainers/rabbitmq')]);
  const [postgres, redis, rabbitmq] = await Promise.all([
    // Every e2e file starts the whole platform (pools of ten per service): more connections than the default 100.
    new PostgreSqlContainer('postgres:15-alpine').withUsername('postgres').withPassword('postgres').withDatabase('postgres').withCommand(['postgres', '-c', 'max_connections=300', '-c', 'fsync=off']).start(),
    new RedisContainer('redis:7-alpine').start(),
    new RabbitMQContainer('rabbitmq:3.13-management-alpine').start(),
  ]);
  return {
    kind: 'containers',
    env: {
      TEST_SERVERS: 'containers',
      PG_URL: postgres.getConnectionUri(),
      REDIS_URL: redis.getConnectionUrl(),
      AMQP_URL: rabbitmq.getAmqpUrl(),
      RABBITMQ_MANAGEMENT_URL: `http://guest:guest@${rabbitmq.getHost()}:${rabbitmq.getMappedPort(15672)}`,
    },
    async stop() {
      await Promise.all([postgres.stop(), redis.stop(), rabbitmq.stop()]);
    },
  };
}
