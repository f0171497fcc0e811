import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { injectCspMeta } from './src/main/security/csp'

// Three bundles: main (Electron entry + the plain-Node CLI/engine entries), preload (sandboxed bridge),
// renderer (Svelte). Dependencies stay external in main so native modules load from node_modules.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // nifti-reader-js ships ES modules only (exports has no "require"), so it is bundled rather than required.
      // playwright-core (a dev dependency, used by the Chromium benches only) is required from node_modules.
      externalizeDeps: { exclude: ['nifti-reader-js'], include: ['playwright-core'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/electron/main.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
          bench: resolve(__dirname, 'src/main/bench/index.ts'),
          engine: resolve(__dirname, 'src/main/jobs/engine-entry.ts')
        },
        output: { entryFileNames: '[name].js' }
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // A sandboxed preload cannot require() local chunks, so everything it needs is inlined.
        output: { format: 'cjs', entryFileNames: '[name].js', codeSplitting: false }
      },
      externalizeDeps: false
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') }
    },
    plugins: [
      svelte({ configFile: resolve(__dirname, 'svelte.config.mjs') }),
      // The meta tag's policy comes from the same function as the HTTP headers (one CSP).
      { name: 'neuropath-csp', transformIndexHtml: { order: 'pre', handler: injectCspMeta } }
    ]
  }
})
