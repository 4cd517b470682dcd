/**
 * The console's front end: Preact (3 kB; the page is a handful of tables and one diagram, no
 * framework features beyond components and hooks are needed), built by Vite into dist/console-ui,
 * which the gateway serves under /console. Nothing inline: the page's CSP allows scripts and
 * styles from its own origin only.
 */
import path from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: path.resolve(import.meta.dirname, '../../../dist/console-ui'),
    emptyOutDir: true,
    target: 'es2022',
    // No inline module-preload helper and no data: URLs for small assets (the CSP forbids both).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  logLevel: 'warn',
});
