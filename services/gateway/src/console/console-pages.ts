/**
 * The console's server-rendered pages: no script, one style block allowed by its hash, forms
 * posting only to this origin, never framed. (The live views come as the built front end,
 * console-assets.ts; this is its door.)
 */
import { createHash } from 'node:crypto';

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#111}label{display:block;margin:.75rem 0 .25rem}input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}button{font:inherit;margin-top:1rem;padding:.4rem 1rem}.error{color:#a00;font-weight:600}';

export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

const escape = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;

export function loginPage(problem?: string): string {
  return page(
    'Console: sign in',
    `<h1>Operations console</h1>${problem ? `<p class="error" role="alert">${escape(problem)}</p>` : ''}<form method="post" action="/console/login"><label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" required><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required><button type="submit">Sign in</button></form>`,
  );
}
