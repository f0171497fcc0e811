#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into node_modules/.electron-native/, beside (not over) the Node
// build that the CLI, browser mode and tests use. Electron's main process loads this copy (see
// src/main/catalog/open-catalog.ts). sharp and tfjs-node are Node-API modules and need no rebuild.
// Needs the network once, for Electron's headers; skipped when a copy with Electron's ABI is already there.
// The built file's NODE_MODULE_VERSION is checked before success is claimed: a `nodedir=` in ~/.npmrc (which
// npm passes to node-gyp as npm_config_nodedir) once made node-gyp build against Node's headers instead.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { electronAbi, moduleAbi } from './native-abi.mjs'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const electronDir = path.join(root, 'node_modules/electron')
const electronVersion = require(path.join(electronDir, 'package.json')).version
const expected = electronAbi(electronDir)
const outDir = path.join(root, 'node_modules/.electron-native')
const out = path.join(outDir, `better_sqlite3-electron-${electronVersion}.node`)
if (fs.existsSync(out)) {
  const found = moduleAbi(out)
  if (found === expected) process.exit(0)
  console.log(
    `electron-native: ${out} has NODE_MODULE_VERSION ${found}, Electron ${electronVersion} needs ${expected}: rebuilding`
  )
  fs.rmSync(out)
}

// Settings that would point node-gyp at other headers than Electron's are dropped for this build.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_config_(nodedir|target|runtime|disturl|dist_url)$/i.test(k))
)
const src = path.join(root, 'node_modules/better-sqlite3')
fs.mkdirSync(outDir, { recursive: true })
const work = fs.mkdtempSync(path.join(outDir + '-build-'))
try {
  fs.cpSync(src, work, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) })
  execFileSync(
    process.execPath,
    [
      require.resolve('node-gyp/bin/node-gyp.js'),
      'rebuild',
      `--target=${electronVersion}`,
      '--runtime=electron',
      '--dist-url=https://electronjs.org/headers',
      '--release'
    ],
    { cwd: work, stdio: 'inherit', env }
  )
  const built = path.join(work, 'build/Release/better_sqlite3.node')
  const found = moduleAbi(built)
  if (found !== expected) {
    throw new Error(
      `the module was built with NODE_MODULE_VERSION ${found}, but Electron ${electronVersion} needs ${expected} ` +
        '(node-gyp used other headers: check nodedir/target in ~/.npmrc or the environment)'
    )
  }
  fs.copyFileSync(built, out)
  console.log(`electron-native: better-sqlite3 built for Electron ${electronVersion} (NODE_MODULE_VERSION ${found})`)
} catch (err) {
  console.error(
    `electron-native: cannot build better-sqlite3 for Electron ${electronVersion} (${err.message.split('\n')[0]}).`
  )
  console.error('The desktop app needs it; the browser mode (npm run serve) works without it.')
  process.exit(1)
} finally {
  fs.rmSync(work, { recursive: true, force: true })
}
