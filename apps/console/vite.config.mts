/// <reference types="node" />
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The console is served by apps/console/server.ts, which also proxies /api to the services.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: resolve(import.meta.dirname, 'dist'), emptyOutDir: true, target: 'es2022' },
});
