/**
 * GET /openapi.json — the public API as OpenAPI 3.1 (docs/openapi.json, generated from the
 * services' zod schemas by `pnpm openapi` and bundled into the gateway), and GET /docs — the same
 * document as a plain page: every operation, who may call it, what it takes and answers. The page
 * is rendered once, with no script, and its one style block is allowed by hash, not by
 * 'unsafe-inline'.
 */
import Router from '@koa/router';
import { createHash } from 'node:crypto';
import document from '../../../docs/openapi.json' with { type: 'json' };

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { schema?: { $ref?: string } }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
const schemaName = (content?: Record<string, { schema?: { $ref?: string } }>) => {
  const schema = Object.values(content ?? {})[0]?.schema;
  return schema ? (schema.$ref?.split('/').at(-1) ?? 'JSON') : '';
};

const STYLE = 'body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}code{background:#f2f2f2;padding:0 .25rem}section{border-top:1px solid #ccc;padding:.5rem 0}.m{font-weight:700;display:inline-block;min-width:3.5rem}';

function renderPage(): string {
  const sections = Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => {
      const answers = Object.entries(operation.responses)
        .filter(([status]) => status.startsWith('2'))
        .map(([status, answer]) => `<li><code>${status}</code> ${escape(answer.description)} ${schemaName(answer.content) ? `<code>${escape(schemaName(answer.content))}</code>` : ''}</li>`)
        .join('');
      const body = operation.requestBody ? `<p>Body: <code>${escape(schemaName(operation.requestBody.content) || 'JSON')}</code></p>` : '';
      return `<section><h2><span class="m">${method.toUpperCase()}</span> <code>${escape(path)}</code></h2><p>${escape(operation.summary ?? '')}. ${escape(operation.description ?? '')}</p>${body}<ul>${answers}</ul></section>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(document.info.title)} API</title><style>${STYLE}</style></head><body><main><h1>${escape(document.info.title)} API</h1><p>${escape(document.info.description ?? '')} The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p>${sections.join('')}</main></body></html>`;
}

export const API_DOC_ROUTES = ['/openapi.json', '/docs'];

export function apiDocsRouter(): Router {
  const page = renderPage();
  const styleHash = createHash('sha256').update(STYLE).digest('base64');
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.set('cache-control', 'public, max-age=300');
    ctx.body = document;
  });
  router.get('/docs', (ctx) => {
    ctx.set('content-security-policy', `default-src 'none'; style-src 'sha256-${styleHash}'; frame-ancestors 'none'`);
    ctx.set('cache-control', 'public, max-age=300');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page;
  });
  return router;
}
