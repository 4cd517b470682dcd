/**
 * `pnpm rabbitmq:cluster start|stop|status`: a three-node RabbitMQ cluster on this machine, beside
 * (never instead of) the machine's own broker on :5672 — for trying the platform against a
 * cluster, and for test/cluster. Each node has its own name, AMQP and distribution ports, data,
 * logs and config; node A alone runs the management API (one port each would clash otherwise).
 * AMQP on 127.0.0.1:5681..5683; management on :15681; everything under /tmp/platform-rmq.
 * (The recipe is ../shared/CLUSTERS-LOCAL.md's; the Debian scripts run nodes as `rabbitmq`.)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';

export const CLUSTER_DIR = '/tmp/platform-rmq';
export const CLUSTER_NODES = ['A', 'B', 'C'].map((letter, index) => ({ name: `platform${letter}@localhost`, letter, amqpPort: 5681 + index, distPort: 25681 + index }));
export const CLUSTER_MANAGEMENT_URL = 'http://guest:guest@127.0.0.1:15681';
/** The cluster as the platform names it: one URL, three nodes. */
export const clusterAmqpUrl = (vhost = '') => `amqp://guest:guest@${CLUSTER_NODES.map((node) => `127.0.0.1:${node.amqpPort}`).join(',')}/${vhost}`;

const ctl = (node: string, ...args: string[]) => execFileSync('rabbitmqctl', ['-q', '-n', node, ...args], { stdio: 'pipe', timeout: 120_000 }).toString();

function ownByRabbitmq(dir: string): void {
  if (userInfo().uid !== 0) return; // not root: the nodes run as this user
  execFileSync('chown', ['-R', 'rabbitmq:rabbitmq', dir]);
}

/** A detached node takes seconds to register with epmd; await_startup refuses one it cannot reach yet. */
function awaitStartup(node: string): void {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      ctl(node, 'await_startup', '--timeout', '60');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      execFileSync('sleep', ['1']);
    }
  }
}

export function startCluster(): void {
  stopCluster();
  for (const node of CLUSTER_NODES) {
    const dir = path.join(CLUSTER_DIR, node.letter);
    mkdirSync(path.join(dir, 'log'), { recursive: true });
    mkdirSync(path.join(dir, 'mnesia'), { recursive: true });
    const management = node.letter === 'A' ? 'management.tcp.port = 15681\nmanagement.tcp.ip = 127.0.0.1\n' : '';
    writeFileSync(path.join(dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${node.amqpPort}\nloopback_users = none\n${management}`);
    writeFileSync(path.join(dir, 'enabled_plugins'), node.letter === 'A' ? '[rabbitmq_management].\n' : '[].\n');
  }
  ownByRabbitmq(CLUSTER_DIR);
  for (const node of CLUSTER_NODES) {
    const dir = path.join(CLUSTER_DIR, node.letter);
    execFileSync('rabbitmq-server', ['-detached'], {
      stdio: 'ignore',
      env: {
        ...process.env,
        RABBITMQ_NODENAME: node.name,
        RABBITMQ_NODE_PORT: String(node.amqpPort),
        RABBITMQ_DIST_PORT: String(node.distPort),
        RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
        RABBITMQ_LOG_BASE: path.join(dir, 'log'),
        RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq.conf'),
        RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
        RABBITMQ_PID_FILE: path.join(dir, 'pid'),
      },
    });
  }
  for (const node of CLUSTER_NODES) awaitStartup(node.name);
  const [first, ...others] = CLUSTER_NODES;
  for (const node of others) {
    ctl(node.name, 'stop_app');
    ctl(node.name, 'join_cluster', first!.name);
    ctl(node.name, 'start_app');
  }
}

/** Stops each node (a restartable fault: `stop_app`) or starts it again. */
export const stopNodeApp = (letter: string) => ctl(CLUSTER_NODES.find((node) => node.letter === letter)!.name, 'stop_app');
export const startNodeApp = (letter: string) => ctl(CLUSTER_NODES.find((node) => node.letter === letter)!.name, 'start_app');

/** The running nodes, as `asking` (a node whose app runs) sees them. */
export function runningNodes(asking = 'A'): string[] {
  const status = JSON.parse(ctl(CLUSTER_NODES.find((node) => node.letter === asking)!.name, 'cluster_status', '--formatter', 'json')) as { running_nodes: string[] };
  return status.running_nodes;
}

export function stopCluster(): void {
  for (const node of CLUSTER_NODES) {
    try {
      ctl(node.name, 'stop');
    } catch {
      // not running
    }
  }
  rmSync(CLUSTER_DIR, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const command = process.argv[2];
  if (command === 'start') {
    startCluster();
    process.stdout.write(`three nodes running: ${runningNodes().join(', ')}\nAMQP_URL=${clusterAmqpUrl()}\nRABBITMQ_MANAGEMENT_URL=${CLUSTER_MANAGEMENT_URL}\n`);
  } else if (command === 'stop') {
    stopCluster();
    process.stdout.write('cluster stopped and removed\n');
  } else if (command === 'status') {
    process.stdout.write(`${runningNodes().join('\n')}\n`);
  } else {
    process.stderr.write('usage: pnpm rabbitmq:cluster start|stop|status\n');
    process.exit(2);
  }
}
