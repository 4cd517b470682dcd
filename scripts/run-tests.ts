/**
 * `pnpm test`: brings every service database up to date, then runs every *.test.ts under
 * shared/, services/ and test/ with node's test runner. Files run one at a time because
 * they share one broker (and some of them drop its connections on purpose).
 * Extra arguments filter test files by substring: `pnpm test relay`. The cluster test runs only
 * when named (`pnpm test:cluster`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { E2E_TEMPLATE_PREFIX } from './databases.ts';
import { testServers } from './test-servers.ts';
import { BUILT_PLATFORM_ENV } from './platform.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const filters = process.argv.slice(2);

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts') && !file.includes('node_modules'))
    .map((file) => path.join(dir, file));
}

execFileSync(process.execPath, ['--import', 'tsx', 'scripts/prisma-all.ts', 'generate'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
// Every process bundled (dist/, a few seconds) and the console's front end for the browser tests.
// The platforms the tests start run the bundles: a process started from its bundle costs about
// half the CPU of one started through tsx (~1 s against ~2), and the e2e files start about 30
// platforms of ten processes on two cores. It is also what production runs.
execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
const servers = await testServers();
process.stderr.write(`test servers: ${servers.kind}\n`);
const env = { ...process.env, ...servers.env, [BUILT_PLATFORM_ENV]: '1' };
// platform_* (the backbone's testbed template among them) and e2etpl_*, the templates each
// end-to-end test file clones its fresh databases from.
for (const prefix of ['platform', E2E_TEMPLATE_PREFIX]) {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/prisma-all.ts', 'deploy'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...env, PG_DATABASE_PREFIX: prefix },
  });
}

// On demand only (named by a filter, e.g. `pnpm test:cluster`): the three-node RabbitMQ cluster
// test costs about two minutes, most of it starting the nodes, and CI must stay under 25.
const ON_DEMAND = [path.join('test', 'cluster') + path.sep];
const files = ['shared', 'services', 'test']
  .flatMap((dir) => testFiles(path.join(ROOT, dir)))
  .filter((file) => (filters.length === 0 ? !ON_DEMAND.some((folder) => file.includes(folder)) : filters.some((filter) => file.includes(filter))))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no test files match ${filters.join(' ')}\n`);
  process.exit(1);
}
// A test that hangs fails after 5 minutes instead of holding CI until its limit.
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=300000', ...files], { cwd: ROOT, stdio: 'inherit', env });
await servers.stop();
process.exit(result.status ?? 1);
