/**
 * Tests that stop and start the machine's own servers, or run servers of their own from the
 * machine's binaries (the chaos run, a second Redis, the RabbitMQ cluster, the PostgreSQL
 * replica), cannot run against the containers `pnpm test` starts where Docker answers: they skip
 * there, saying why. Everywhere else (these machines, CI) they run.
 */
export const needsLocalServers: string | false = process.env.TEST_SERVERS === 'containers' ? "it needs the machine's own servers and binaries; the run is on containers" : false;
