/** A merchant's webhook receiver for the tests: records what arrives; answers as told. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  received: Received[];
  /** Requests that arrived and are still open: not answered, and not given up by the sender. */
  open: number;
  close(): Promise<void>;
}

/** `answer(n)` gives the status for the n-th request (1-based) and how long to wait before it. */
export async function startReceiver(port: number, answer: (n: number) => { status: number; delayMs?: number } = () => ({ status: 204 })): Promise<Receiver> {
  const state: Receiver = { received: [], open: 0, close: async () => undefined };
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      state.received.push({ headers: request.headers, body });
      state.open += 1;
      let done = false;
      const finish = () => {
        if (!done) state.open -= 1;
        done = true;
      };
      // The sender giving up (its timeout) ends the request as surely as our answer does.
      response.on('close', finish);
      const { status, delayMs = 0 } = answer(state.received.length);
      // Unref'd: a held answer must not keep the test process alive after the tests.
      setTimeout(() => {
        if (!done) response.writeHead(status).end();
        finish();
      }, delayMs).unref();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return state;
}
