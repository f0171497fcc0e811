import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export interface ServedApp {
  url: string
  origin: string
  token: string
  workspace: string
  proc: ChildProcess
  stop(): Promise<void>
}

const ROOT = path.resolve(__dirname, '../..')

/** Starts the built CLI's `neuropath serve` on a free loopback port with a fresh workspace. */
export async function startServe(opts: { workspace?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ServedApp> {
  const bundle = path.join(ROOT, 'out/main/cli.js')
  if (!fs.existsSync(bundle))
    throw new Error('out/main/cli.js is missing: run `npm run build` first (npm run test:e2e does)')
  const workspace = opts.workspace ?? fs.mkdtempSync(path.join(os.tmpdir(), 'np-e2e-ws-'))
  const proc = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/neuropath.mjs'), 'serve', '--port', '0', '--json', '--workspace', workspace],
    {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let stderr = ''
  proc.stderr!.on('data', (d) => (stderr += String(d)))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL in 30 s: ${stderr}`)), 30_000)
    proc.stdout!.on('data', (d) => {
      out += String(d)
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (line) {
        clearTimeout(timer)
        resolve((JSON.parse(line) as { url: string }).url)
      }
    })
    proc.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)))
  })
  const u = new URL(url)
  return {
    url,
    origin: u.origin,
    token: u.searchParams.get('token')!,
    workspace,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve()
        proc.once('exit', () => resolve())
        proc.kill('SIGTERM')
      })
  }
}
