import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { WebSocket } from 'ws'
import { startBrowserServer } from '../server/browser-server'
import { createCore } from '../services'

/** API round trip over the browser bridge (WebSocket) and catalog open time. */
export async function benchFoundation(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-'))
  const t0 = performance.now()
  const core = createCore(dir, 'browser')
  const openMs = performance.now() - t0
  const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-static-'))
  const server = await startBrowserServer({ core, staticDir })
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)
  await new Promise((r) => ws.once('open', r))
  const N = 500
  let received = 0
  const done = new Promise<void>((resolve) =>
    ws.on('message', (d) => {
      if (String(d).includes('"t":"result"') && ++received === N) resolve()
    })
  )
  const t1 = performance.now()
  for (let i = 0; i < N; i++)
    ws.send(JSON.stringify({ t: 'call', id: i, channel: 'catalog.listSettings', request: {} }))
  await done
  const rtt = (performance.now() - t1) / N
  ws.close()
  await server.close()
  core.close()
  fs.rmSync(dir, { recursive: true, force: true })
  fs.rmSync(staticDir, { recursive: true, force: true })
  return { catalogOpenMs: round(openMs), wsCallsPerSecond: Math.round(1000 / rtt), wsMeanCallMs: round(rtt) }
}

const round = (x: number) => Math.round(x * 100) / 100
