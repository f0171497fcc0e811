#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into node_modules/.electron-native/, beside (not over) the Node
// build that the CLI, browser mode and tests use. Electron's main process loads this copy (see
// src/main/catalog/open-catalog.ts). sharp and tfjs-node are Node-API modules and need no rebuild.
// Needs the network once, for Electron's headers; skipped when the copy is already there.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const electronVersion = require(path.join(root, 'node_modules/electron/package.json')).version
const outDir = path.join(root, 'node_modules/.electron-native')
const out = path.join(outDir, `better_sqlite3-electron-${electronVersion}.node`)
if (fs.existsSync(out)) process.exit(0)

const src = path.join(root, 'node_modules/better-sqlite3')
const work = fs.mkdtempSync(path.join(outDir + '-build-'))
try {
  fs.cpSync(src, work, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) })
  execFileSync(
    process.execPath,
    [
      require.resolve('node-gyp/bin/node-gyp.js'),
      'rebuild',
      `--target=${electronVersion}`,
      '--dist-url=https://electronjs.org/headers',
      '--release'
    ],
    { cwd: work, stdio: 'inherit' }
  )
  fs.mkdirSync(outDir, { recursive: true })
  fs.copyFileSync(path.join(work, 'build/Release/better_sqlite3.node'), out)
  console.log(`electron-native: better-sqlite3 built for Electron ${electronVersion}`)
} catch (err) {
  console.error(
    `electron-native: cannot build better-sqlite3 for Electron ${electronVersion} (${err.message.split('\n')[0]}).`
  )
  console.error('The desktop app needs it; the browser mode (neuropath serve) works without it.')
  process.exit(1)
} finally {
  fs.rmSync(work, { recursive: true, force: true })
}
