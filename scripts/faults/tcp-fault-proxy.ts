/**
 * A TCP proxy that can fail on purpose, put between a service and PostgreSQL, RabbitMQ or Redis,
 * or in front of a service's instances as its load balancer (a Kubernetes Service does that job
 * in a cluster): new connections go to the targets in turn, and to the next one when a target
 * refuses (an instance that is down). `cut()` drops every live connection and refuses new ones
 * (the server is gone), `restore()` listens again, `delay(ms)` holds each chunk that long each way
 * (a slow network), `resetSome(share)` drops that share of the live connections (a flaky link).
 * Used by the outage tests and the chaos run; nothing here is mocked, real servers are behind it.
 */
import net from 'node:net';

export interface Target {
  host: string;
  port: number;
}

export interface FaultProxy {
  port: number;
  url(original: string): string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  delay(ms: number): void;
  /** Drops this share (0–1) of the live connections, each picked by `random`; returns how many. */
  resetSome(share: number, random?: () => number): number;
  close(): Promise<void>;
}

export async function startFaultProxy(targets: Target | readonly Target[], listenPort = 0): Promise<FaultProxy> {
  const upstreams = Array.isArray(targets) ? (targets as readonly Target[]) : [targets as Target];
  const pairs = new Set<net.Socket>(); // client sockets; each destroys its upstream when it closes
  const sockets = new Set<net.Socket>();
  let delayMs = 0;
  let next = 0;
  let server: net.Server | null = null;
  let port = listenPort;

  const relay = (from: net.Socket, to: net.Socket) =>
    from.on('data', (chunk) => {
      if (delayMs === 0) to.write(chunk);
      else setTimeout(() => to.writable && to.write(chunk), delayMs).unref();
    });

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };

  /** Connects to the next target that accepts, trying each once; null when none does. */
  const connectUpstream = (tries: number): Promise<net.Socket | null> =>
    new Promise((resolve) => {
      if (tries === 0) return resolve(null);
      const target = upstreams[next++ % upstreams.length]!;
      const upstream = net.connect(target.port, target.host);
      upstream.once('connect', () => resolve(upstream));
      upstream.once('error', () => {
        upstream.destroy();
        void connectUpstream(tries - 1).then(resolve);
      });
    });

  const accept = async (client: net.Socket) => {
    track(client);
    client.pause(); // hold what the client sends until an upstream takes it
    const upstream = await connectUpstream(upstreams.length);
    if (!upstream || client.destroyed) {
      client.destroy();
      upstream?.destroy();
      return;
    }
    track(upstream);
    pairs.add(client);
    relay(client, upstream);
    relay(upstream, client);
    client.on('close', () => {
      pairs.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
    client.resume();
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => void accept(client));
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });

  await listen();
  return {
    get port() {
      return port;
    },
    url(original) {
      const url = new URL(original);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    cut: stop,
    restore: () => (server ? Promise.resolve() : listen()),
    delay(ms) {
      delayMs = ms;
    },
    resetSome(share, random = Math.random) {
      let dropped = 0;
      for (const client of [...pairs]) {
        if (random() >= share) continue;
        client.destroy();
        dropped += 1;
      }
      return dropped;
    },
    close: stop,
  };
}
