/**
 * A TCP proxy that can fail on purpose, put between a service and PostgreSQL, RabbitMQ or Redis:
 * `cut()` drops every live connection and refuses new ones (the server is gone), `restore()`
 * listens again, `delay(ms)` holds each chunk that long each way (a slow network). Used by the
 * outage tests and the chaos run; nothing here is mocked, the real server is behind it.
 */
import net from 'node:net';

export interface FaultProxy {
  port: number;
  url(original: string): string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  delay(ms: number): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }, listenPort = 0): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>();
  let delayMs = 0;
  let server: net.Server | null = null;
  let port = listenPort;

  const relay = (from: net.Socket, to: net.Socket) =>
    from.on('data', (chunk) => {
      if (delayMs === 0) to.write(chunk);
      else setTimeout(() => to.writable && to.write(chunk), delayMs).unref();
    });

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => undefined);
        }
        relay(client, upstream);
        relay(upstream, client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
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
    close: stop,
  };
}
