/**
 * The console's built front end (`pnpm build`: Vite writes dist/console-ui). Files are looked up
 * by name in the build's assets folder only, never by a path from the request. A gateway whose
 * front end was not built answers 503 with what to run, not a broken page.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '@platform/shared/errors';

/** Only scripts and styles from this origin; no inline code, no framing. */
export const APP_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.map': 'application/json' };

/** dist/console-ui beside the bundled gateway (dist/gateway), or under the repository from source. */
export function consoleUiDirectory(): string | null {
  const candidates = [path.resolve(import.meta.dirname, '../console-ui'), path.resolve(import.meta.dirname, '../../../../dist/console-ui')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? null;
}

export function consoleAssets(directory: string | null) {
  const notBuilt = () => new AppError('unavailable', 'the console front end is not built here; run pnpm build');
  let index: string | null = null;
  return {
    indexHtml(): string {
      if (!directory) throw notBuilt();
      index ??= readFileSync(path.join(directory, 'index.html'), 'utf8');
      return index;
    },
    /** A built asset by its (hashed) file name, or null. */
    asset(name: string): { body: Buffer; type: string } | null {
      if (!directory) throw notBuilt();
      const type = TYPES[path.extname(name)];
      if (!/^[\w.-]+$/.test(name) || name.startsWith('.') || !type) return null;
      const file = path.join(directory, 'assets', name);
      return existsSync(file) ? { body: readFileSync(file), type } : null;
    },
  };
}
