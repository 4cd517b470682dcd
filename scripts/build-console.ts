/**
 * The console's front end built by Vite into dist/console-ui (the gateway serves it under
 * /console). `pnpm build` runs it after the process bundles; `pnpm test`, `pnpm start` and
 * `pnpm demo` run it first too, so a fresh checkout never serves a stale or missing page.
 */
import path from 'node:path';
import { build } from 'vite';

const ROOT = path.resolve(import.meta.dirname, '..');

export async function buildConsole(): Promise<void> {
  // Vite sets NODE_ENV=production in the process that builds, and every process the platform
  // then starts would inherit it (and refuse the development broker credentials): put it back.
  const nodeEnv = process.env.NODE_ENV;
  try {
    await build({ configFile: path.join(ROOT, 'services/gateway/console-ui/vite.config.ts'), logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildConsole();
  process.stdout.write('built the console into dist/console-ui\n');
}
