/**
 * `pnpm openapi` writes docs/openapi.json (which the gateway serves at /openapi.json);
 * `--check` (in `pnpm check`) fails when the file is not what the schemas make now.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiDocument } from './openapi-document.ts';

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs/openapi.json');
const text = `${JSON.stringify(apiDocument(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  if (readFileSync(FILE, 'utf8') !== text) {
    process.stderr.write('docs/openapi.json is out of date: run pnpm openapi\n');
    process.exit(1);
  }
  process.stdout.write('docs/openapi.json is up to date\n');
} else {
  writeFileSync(FILE, text);
  process.stdout.write('wrote docs/openapi.json\n');
}
