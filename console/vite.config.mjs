// The console's build (npm run build:console, run by the package's `prepare`): console/ → console/dist, served at /console.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  logLevel: 'warn',
  // Preact's JSX runtime, no React and no Babel: Vite's own transform (Oxc) does JSX.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The build runs on `npm install`: keep it quiet and quick.
    reportCompressedSize: false,
  },
});
