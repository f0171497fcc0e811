// Reading what a built native module and Electron expect, without loading either (an Electron-ABI module cannot
// load in Node, and loading Electron downloads its binary). Used by electron-native.mjs and check-electron.mjs.
import fs from 'node:fs'
import path from 'node:path'

/**
 * NODE_MODULE_VERSION a native module was built for, from the `node_register_module_v<N>` symbol that the
 * NODE_MODULE macro exports (better-sqlite3 uses it); null when the file has none (e.g. a Node-API module).
 */
export function moduleAbi(file) {
  const m = /node_register_module_v(\d+)/.exec(fs.readFileSync(file).toString('latin1'))
  return m ? Number(m[1]) : null
}

/** NODE_MODULE_VERSION of the installed electron package (its `abi_version` file). */
export function electronAbi(electronDir) {
  return Number(fs.readFileSync(path.join(electronDir, 'abi_version'), 'utf8').trim())
}

/**
 * Whether the electron package's binary is there: `path.txt` (written by its install step) naming an existing
 * file under dist/, or ELECTRON_OVERRIDE_DIST_PATH. Returns the binary's path or null.
 */
export function electronBinary(electronDir, env = process.env) {
  const pathFile = path.join(electronDir, 'path.txt')
  const rel = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : null
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, rel || 'electron')
    return fs.existsSync(p) ? p : null
  }
  if (!rel) return null
  const p = path.join(electronDir, 'dist', rel)
  return fs.existsSync(p) ? p : null
}
