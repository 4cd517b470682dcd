/**
 * A process with no service port of its own (the relay) or whose port is public (the gateway)
 * serves its metrics here, on a port of its own: `/health` for probes, `/metrics` for a scraper
 * that shows the platform's metrics token. Nothing else answers.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { safeEqual } from './internal-auth.ts';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: { host: string; port: number; registry: Registry; token: string | undefined }): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const answer = (status: number, type: string, body: string) => response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    const problem = (status: number, title: string) => answer(status, 'application/problem+json', JSON.stringify({ type: 'about:blank', title, status }));
    if (request.method !== 'GET') return problem(405, 'only GET is answered here');
    if (path === '/health') return answer(200, 'application/json', '{"status":"ok"}');
    if (path !== '/metrics') return problem(404, 'not found');
    // Without a configured token there is no way in: metrics name queues, databases and rates.
    if (!options.token || !safeEqual(request.headers.authorization ?? '', `Bearer ${options.token}`)) return problem(401, 'a metrics token is needed');
    options.registry.metrics().then(
      (text) => answer(200, options.registry.contentType, text),
      () => problem(503, 'metrics could not be collected'),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
