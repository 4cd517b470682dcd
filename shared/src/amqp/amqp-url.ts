/**
 * A broker URL may name several nodes of one cluster, as in
 * `amqp://user:pass@10.0.0.1:5672,10.0.0.2:5672,10.0.0.3:5672/vhost` (the multi-host form
 * other clients use; WHATWG's URL cannot parse it, so it is split here). Every node shares the
 * credentials, vhost and query. Connections rotate through the nodes: a lost node's clients
 * reconnect to the next one.
 */
import type { Options } from 'amqplib';

const MULTI_HOST = /^(amqps?:\/\/)([^@/?#]*@)?([^/?#]+)(.*)$/;

/** Each node's own URL (one for a plain URL). */
export function amqpNodeUrls(url: string): string[] {
  const match = MULTI_HOST.exec(url);
  if (!match) return [url];
  const [, scheme, credentials = '', hosts = '', rest = ''] = match;
  return hosts.split(',').map((host) => `${scheme}${credentials}${host.trim()}${rest}`);
}

/**
 * A comma-separated list of broker URLs, each of which may itself name several nodes: a piece
 * that does not start with a scheme is another host of the URL before it.
 */
export function splitAmqpUrlList(value: string): string[] {
  const urls: string[] = [];
  for (const piece of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    if (/^amqps?:\/\//.test(piece) || urls.length === 0) urls.push(piece);
    else urls[urls.length - 1] += `,${piece}`;
  }
  return urls;
}

export const isAmqpUrl = (url: string) => amqpNodeUrls(url).every((node) => URL.canParse(node) && /^amqps?:$/.test(new URL(node).protocol));

/** The broker user the URL logs in as. */
export const amqpUsername = (url: string) => decodeURIComponent(new URL(amqpNodeUrls(url)[0]!).username);

/** The same nodes, vhost and query, logging in as another user. */
export function amqpUrlWithUser(url: string, username: string, password: string): string {
  const nodes = amqpNodeUrls(url).map((node) => {
    const parsed = new URL(node);
    parsed.username = username;
    parsed.password = password;
    return parsed.toString();
  });
  const [first, ...others] = nodes.map((node) => MULTI_HOST.exec(node)!);
  return `${first![1]}${first![2] ?? ''}${[first![3], ...others.map((other) => other[3])].join(',')}${first![4] ?? ''}`;
}

/**
 * What amqplib's connect takes: the URL itself for one node; for several, an object whose
 * `protocol` (read once per connection attempt) moves to the next node and whose other fields
 * describe that node, so amqplib's own recovery reconnects round the cluster.
 */
export function amqpConnectTarget(url: string): string | Options.Connect {
  const nodes = amqpNodeUrls(url).map((node) => new URL(node));
  if (nodes.length === 1) return url;
  let index = -1;
  const node = () => nodes[Math.max(index, 0)]!;
  const query = (name: string) => (node().searchParams.has(name) ? Number(node().searchParams.get(name)) : undefined);
  return {
    get protocol() {
      index = (index + 1) % nodes.length;
      return node().protocol.replace(':', '');
    },
    get hostname() {
      return node().hostname;
    },
    get port() {
      return Number(node().port) || undefined;
    },
    get username() {
      return decodeURIComponent(node().username);
    },
    get password() {
      return decodeURIComponent(node().password);
    },
    get vhost() {
      return decodeURIComponent(node().pathname.slice(1)) || '/';
    },
    get heartbeat() {
      return query('heartbeat');
    },
    get frameMax() {
      return query('frameMax');
    },
  };
}
