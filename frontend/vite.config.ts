import { defineConfig } from 'vitest/config';

// (Node's `process`, declared here so the app's tsconfig needs no @types/node.)
declare const process: { env: Record<string, string | undefined> };

// The gateway (FastAPI, :8000) serves the API and, in production, this build from the same origin.
// In dev, everything under /api (including the WebSocket /api/v1/ws) is proxied to it.
const gateway = process.env.T1_GATEWAY_URL ?? 'http://127.0.0.1:8000';
const proxy = {
  '/api': { target: gateway, changeOrigin: false, ws: true },
};

export default defineConfig({
  // JSX by esbuild (React 17+ automatic runtime): no Babel plugin needed.
  esbuild: { jsx: 'automatic' },
  server: { host: '127.0.0.1', port: 3001, strictPort: true, proxy },
  preview: { host: '127.0.0.1', port: 3001, strictPort: true, proxy },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
