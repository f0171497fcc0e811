#!/usr/bin/env node
// Entry for the `neuropath` command: runs the CLI bundle that `npm run build` writes to out/main/cli.js.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import fs from 'node:fs'

const require = createRequire(import.meta.url)
const bundle = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js')
if (!fs.existsSync(bundle)) {
  process.stderr.write('neuropath: the app is not built yet; run `npm run build` in the project folder first\n')
  process.exit(1)
}
const { main } = require(bundle)
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`neuropath: error: ${err && err.message ? err.message : err}\n`)
    process.exit(1)
  }
)
