import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import type { ClientMessage, ServerMessage } from '../../shared/wire'
import { packBinary } from '../../shared/wire'
import { toEnvelope } from '../../shared/errors'
import { APP_VERSION } from '../app-meta'
import { contentSecurityPolicy } from '../security/csp'
import type { Core } from '../services'
import { resolveStatic } from './static-files'
import { cookieValue, newAccessToken, tokenMatches } from './token'

export interface BrowserServerOptions {
  core: Core
  /** The built renderer (out/renderer). */
  staticDir: string
  host?: string
  /** 0 picks a free port. */
  port?: number
  token?: string
}

export interface BrowserServer {
  url: string
  token: string
  port: number
  close(): Promise<void>
}

const COOKIE = 'np_token'
const MAX_MESSAGE = 1024 * 1024

/**
 * Browser mode: serves the built renderer and carries the same contract over a WebSocket. Binds to
 * loopback unless told otherwise; every HTTP request and the socket need the access token (query string
 * on first load, then an HttpOnly SameSite=Strict cookie).
 */
export async function startBrowserServer(opts: BrowserServerOptions): Promise<BrowserServer> {
  const host = opts.host ?? '127.0.0.1'
  const token = opts.token ?? newAccessToken()
  const root = fs.realpathSync(opts.staticDir)
  const { dispatcher, ctx } = opts.core

  const authorised = (req: http.IncomingMessage, url: URL): boolean =>
    tokenMatches(token, url.searchParams.get('token')) || tokenMatches(token, cookieValue(req.headers.cookie, COOKIE))

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('Cache-Control', 'no-store')
    if (!authorised(req, url)) {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('NeuroPath Workstation: missing or wrong access token. Open the URL that `neuropath serve` printed.\n')
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end()
      return
    }
    if (url.pathname.startsWith('/media/')) {
      void serveMedia(url.pathname.slice('/media/'.length), res)
      return
    }
    const found = resolveStatic(root, url.pathname)
    if (!found) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n')
      return
    }
    const headers: Record<string, string> = { 'Content-Type': found.type }
    if (found.type.startsWith('text/html')) {
      headers['Content-Security-Policy'] = contentSecurityPolicy()
      headers['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
    }
    res.writeHead(200, headers)
    fs.createReadStream(found.file).pipe(res)
  })

  const serveMedia = async (ref: string, res: http.ServerResponse): Promise<void> => {
    try {
      const media = await ctx.media.resolve(decodeURIComponent(ref))
      // Thumbnails are re-requested on every scroll back through a large grid; a short private cache keeps
      // that off the server while a changed file still shows within minutes.
      res.writeHead(200, { 'Content-Type': media.type, 'Cache-Control': 'private, max-age=300' })
      fs.createReadStream(media.file).pipe(res)
    } catch (err) {
      const env = toEnvelope(err)
      res
        .writeHead(env.code === 'FORBIDDEN' ? 403 : 404, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end(env.message + '\n')
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const origin = req.headers.origin
    // A page from another origin must not drive the API even if the browser sends our cookie.
    const sameOrigin = !origin || origin === `http://${req.headers.host}`
    if (url.pathname !== '/ws' || !sameOrigin || !authorised(req, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  const send = (ws: WebSocket, msg: ServerMessage, bins: ArrayBufferView[] = []): void => {
    if (ws.readyState !== ws.OPEN) return
    ws.send(JSON.stringify(msg))
    for (const b of bins) ws.send(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  }

  wss.on('connection', (ws) => {
    send(ws, { t: 'hello', version: APP_VERSION })
    const unsubscribe = ctx.hub.subscribe((channel, payload) => {
      const { json, bins } = packBinary(payload)
      send(ws, { t: 'event', channel, payload: json, nbin: bins.length }, bins)
    })
    ws.on('close', unsubscribe)
    ws.on('message', async (data, isBinary) => {
      let msg: ClientMessage
      try {
        if (isBinary) throw new Error('binary request')
        msg = JSON.parse(String(data)) as ClientMessage
        if (msg?.t !== 'call' || typeof msg.id !== 'number' || typeof msg.channel !== 'string') throw new Error('shape')
      } catch {
        ws.close(1003, 'malformed message')
        return
      }
      const result = await dispatcher.call(msg.channel, msg.request, { transport: 'ws' })
      const { json, bins } = packBinary(result)
      send(ws, { t: 'result', id: msg.id, result: json, nbin: bins.length }, bins)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
