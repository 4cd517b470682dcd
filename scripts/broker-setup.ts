/**
 * Development and test broker setup through the management API (fast; rabbitmqctl starts an
 * Erlang VM per call): a vhost, and each service's user with its password and permissions.
 * Production loads rabbitmq/definitions.json and sets passwords there instead.
 */
import { execFileSync } from 'node:child_process';
import { BROKER_SERVICES, servicePermissions } from '../shared/src/amqp/broker-users.ts';
import { QUEUE_POLICIES } from '../shared/src/amqp/queue-policies.ts';

/** Read at each call: a test of a second broker (the cluster's) points it elsewhere for a while. */
const managementUrl = () => new URL(process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672');

export async function api(method: string, path: string, body?: unknown): Promise<Response> {
  const url = managementUrl();
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  return fetch(`${url.origin}/api${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
}

async function ok(method: string, path: string, body?: unknown): Promise<void> {
  const response = await api(method, path, body);
  if (!response.ok && !(method === 'DELETE' && response.status === 404)) throw new Error(`management API ${method} ${path} → ${response.status}: ${await response.text()}`);
}

/** The management plugin answers, enabling it on a local broker the first time. */
async function ensureManagementApi(): Promise<void> {
  if (await api('GET', '/overview').then((response) => response.ok, () => false)) return;
  execFileSync('rabbitmq-plugins', ['-q', 'enable', 'rabbitmq_management'], { stdio: 'ignore' });
  for (let i = 0; i < 60; i++) {
    if (await api('GET', '/overview').then((response) => response.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the RabbitMQ management API did not answer');
}

const vhostPath = (vhost: string) => encodeURIComponent(vhost);

export async function recreateVhost(vhost: string): Promise<void> {
  await ensureManagementApi();
  await ok('DELETE', `/vhosts/${vhostPath(vhost)}`);
  await ok('PUT', `/vhosts/${vhostPath(vhost)}`, {});
  await ok('PUT', `/permissions/${vhostPath(vhost)}/guest`, { configure: '.*', write: '.*', read: '.*' });
}

/** The caps on unrouted and dead-letter queues (queue-policies.ts), in `vhost`. */
export async function applyQueuePolicies(vhost: string): Promise<void> {
  await ensureManagementApi();
  for (const policy of QUEUE_POLICIES) await putQueuePolicy(vhost, policy);
}

/** One policy, put or (with `remove`) taken away: tests apply their own queues' limits with it. */
export async function putQueuePolicy(vhost: string, policy: { name: string; pattern: string; definition: Record<string, string | number> }, remove = false): Promise<void> {
  await ensureManagementApi();
  if (remove) await ok('DELETE', `/policies/${vhostPath(vhost)}/${policy.name}`);
  else await ok('PUT', `/policies/${vhostPath(vhost)}/${policy.name}`, { pattern: policy.pattern, definition: policy.definition, 'apply-to': 'queues', priority: 1 });
}

/** Each service's user with its password; permissions and topic permissions in `vhost`. */
export async function ensureServiceUsers(vhost: string, passwords: Record<string, string>): Promise<void> {
  await ensureManagementApi();
  await Promise.all(
    BROKER_SERVICES.map(async (service) => {
      const password = passwords[service];
      if (!password) throw new Error(`no broker password for ${service}`);
      const permissions = servicePermissions(service);
      await ok('PUT', `/users/${service}`, { password, tags: '' });
      await ok('PUT', `/permissions/${vhostPath(vhost)}/${service}`, { configure: permissions.configure, write: permissions.write, read: permissions.read });
      await ok('PUT', `/topic-permissions/${vhostPath(vhost)}/${service}`, permissions.topic);
    }),
  );
}

/** A queue as the management API sees it: depth and the policy in force (for tests and the chaos run). */
export async function queueInfo(vhost: string, queue: string): Promise<{ messages: number; policy: string | null; effective_policy_definition: Record<string, unknown> }> {
  const response = await api('GET', `/queues/${vhostPath(vhost)}/${encodeURIComponent(queue)}`);
  if (!response.ok) throw new Error(`management API GET queue ${queue} → ${response.status}`);
  return (await response.json()) as { messages: number; policy: string | null; effective_policy_definition: Record<string, unknown> };
}

/** Closes every client connection to `vhost` (a network cut, as the clients see it); returns how many. */
export async function closeConnections(vhost: string): Promise<number> {
  const response = await api('GET', `/vhosts/${vhostPath(vhost)}/connections`);
  if (!response.ok) throw new Error(`management API GET connections → ${response.status}`);
  const connections = (await response.json()) as Array<{ name: string }>;
  await Promise.all(connections.map((connection) => ok('DELETE', `/connections/${encodeURIComponent(connection.name)}`)));
  return connections.length;
}
