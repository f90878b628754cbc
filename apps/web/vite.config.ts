import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev -w @mooring/web`: hot reload on http://127.0.0.1:5173, the api proxied on the same origin
// (cookies and CSRF work as in production). API_PORT names the api started by `npm start`.
const api = `http://127.0.0.1:${process.env['API_PORT'] ?? '3000'}`;

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // The contract lib is consumed from its TypeScript source, as the tests do.
  resolve: { conditions: ['@mooring/source'] },
  server: {
    host: '127.0.0.1',
    port: Number(process.env['WEB_DEV_PORT'] ?? 5173),
    strictPort: true,
    proxy: { '/v1': api, '/health': api, '/docs': api },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The first page must stay small: the mapping editor (CodeMirror, yaml) is split into its own chunk.
    chunkSizeWarningLimit: 600,
  },
});
