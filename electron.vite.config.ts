import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

// Three bundles: main (Electron entry + the plain-Node CLI/engine entries), preload (sandboxed bridge),
// renderer (Svelte). Dependencies stay external in main so native modules load from node_modules.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/electron/main.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
          bench: resolve(__dirname, 'src/main/bench/index.ts'),
          engine: resolve(__dirname, 'src/main/engine/entry.ts')
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
    plugins: [svelte({ configFile: resolve(__dirname, 'svelte.config.mjs') })]
  }
})
