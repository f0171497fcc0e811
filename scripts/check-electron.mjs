#!/usr/bin/env node
// `npm start` runs this first: without Electron's binary (it downloads on first use, which needs the network),
// `electron .` ends in a raw "fetch failed" stack trace. This tries the download once and, when it fails, says in
// one line what happened and what to do instead.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { createRequire } from 'node:module'
import { electronBinary } from './native-abi.mjs'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const dir = process.env.NEUROPATH_ELECTRON_DIR ?? path.join(root, 'node_modules/electron')
if (electronBinary(dir)) process.exit(0)

const version = require(path.join(dir, 'package.json')).version
const res = spawnSync(process.execPath, [path.join(dir, 'install.js')], { encoding: 'utf8', timeout: 300_000 })
if (res.status === 0 && electronBinary(dir)) process.exit(0)
const reason =
  `${res.stderr ?? ''}\n${res.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|HTTPError|Error:/.test(l)) ??
  'download failed'
console.error(
  `npm start: the Electron ${version} binary is not installed and could not be downloaded (${reason.replace(/^Error:\s*/, '')}); ` +
    `connect to the network once and rerun npm start, or set ELECTRON_MIRROR to a reachable mirror (or electron_config_cache ` +
    `to a folder holding electron-v${version}-${process.platform}-${process.arch}.zip); ` +
    '`npm run serve` gives the same app in a browser without Electron.'
)
process.exit(1)
