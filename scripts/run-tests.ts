/**
 * `pnpm test`: brings every service database up to date, then runs every *.test.ts under
 * shared/, services/ and test/ with node's test runner. Files run one at a time because
 * they share one broker (and some of them drop its connections on purpose).
 * Extra arguments filter test files by substring: `pnpm test relay`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const filters = process.argv.slice(2);

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts') && !file.includes('node_modules'))
    .map((file) => path.join(dir, file));
}

for (const step of ['generate', 'deploy']) {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/prisma-all.ts', step], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

const files = ['shared', 'services', 'test']
  .flatMap((dir) => testFiles(path.join(ROOT, dir)))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no test files match ${filters.join(' ')}\n`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { cwd: ROOT, stdio: 'inherit' });
process.exit(result.status ?? 1);
