/**
 * `pnpm build`: each process compiled to one JavaScript file, `dist/<process>/main.mjs`, run
 * with plain `node` (tsx stays a development tool). The project's own code (services and
 * shared/, the generated Prisma clients among it) is bundled; packages from npm stay imports,
 * installed beside it (`pnpm deploy --prod` in the images). Type checking is `pnpm check`'s
 * job; esbuild only strips types, in about a second for everything. Then the console's front end
 * (Vite, dist/console-ui).
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { buildConsole } from './build-console.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
export const DIST = path.join(ROOT, 'dist');

/** Every process the platform runs, and the source it starts from. */
export const ENTRY_POINTS: Record<string, string> = {
  ...Object.fromEntries(['auth', 'order', 'inventory', 'payment', 'ledger', 'notification', 'gateway', 'psp'].map((name) => [name, `services/${name}/src/main.ts`])),
  relay: 'shared/src/outbox/relay-daemon.ts',
  'dlq-replay': 'scripts/dlq-replay.ts',
};

export async function buildAll(): Promise<void> {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const packages = Object.keys(manifest.dependencies);
  rmSync(DIST, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: Object.entries(ENTRY_POINTS).map(([name, entry]) => ({ in: entry, out: `${name}/main` })),
    outdir: DIST,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The oldest Node these machines run; the images run a current LTS.
    target: 'node20',
    // npm packages (and their subpaths) stay imports; @platform/* is this repository, bundled.
    external: packages.flatMap((name) => [name, `${name}/*`]),
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildAll();
  await buildConsole();
  process.stdout.write(`built ${Object.keys(ENTRY_POINTS).length} processes and the console into dist/\n`);
}
