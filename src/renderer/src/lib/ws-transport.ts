import type { Transport } from '../../../shared/api-client'
import type { CallResult } from '../../../shared/errors'
import { unpackBinary, type ClientMessage, type ServerMessage } from '../../../shared/wire'

/**
 * Browser-mode transport: the same contract over a WebSocket to `neuropath serve`. Reconnects after a drop;
 * calls in flight when the socket closes fail with a clear error instead of hanging.
 */
export function createWsTransport(url: string): Transport {
  let ws: WebSocket | null = null
  let opening: Promise<WebSocket> | null = null
  let nextId = 1
  const pending = new Map<number, (r: CallResult) => void>()
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  let current: { msg: Exclude<ServerMessage, { t: 'hello' }>; bins: ArrayBuffer[] } | null = null

  const deliver = (msg: Exclude<ServerMessage, { t: 'hello' }>, bins: ArrayBuffer[]) => {
    if (msg.t === 'result') {
      pending.get(msg.id)?.(unpackBinary(msg.result, bins) as CallResult)
      pending.delete(msg.id)
    } else {
      const payload = unpackBinary(msg.payload, bins)
      for (const l of listeners.get(msg.channel) ?? []) l(payload)
    }
  }

  const open = (): Promise<WebSocket> => {
    if (ws && ws.readyState === WebSocket.OPEN) return Promise.resolve(ws)
    opening ??= new Promise<WebSocket>((resolve, reject) => {
      const sock = new WebSocket(url)
      sock.binaryType = 'arraybuffer'
      sock.onopen = () => {
        ws = sock
        opening = null
        resolve(sock)
      }
      sock.onerror = () => {
        opening = null
        reject(new Error('cannot reach the NeuroPath server (is `neuropath serve` still running?)'))
      }
      sock.onclose = () => {
        ws = null
        for (const [id, done] of pending) {
          done({
            ok: false,
            error: { name: 'ConnectionError', code: 'IO', message: 'the connection to the NeuroPath server was lost' }
          })
          pending.delete(id)
        }
        // Keep events flowing after a server restart or a dropped connection.
        if (listeners.size > 0) setTimeout(() => void open().catch(() => undefined), 1000)
      }
      sock.onmessage = (e) => {
        if (typeof e.data !== 'string') {
          if (!current) return
          current.bins.push(e.data as ArrayBuffer)
        } else {
          const msg = JSON.parse(e.data) as ServerMessage
          if (msg.t === 'hello') return
          current = { msg, bins: [] }
        }
        if (current && current.bins.length === current.msg.nbin) {
          const done = current
          current = null
          deliver(done.msg, done.bins)
        }
      }
    })
    return opening
  }

  return {
    async call(channel, request) {
      const sock = await open()
      const id = nextId++
      return new Promise<CallResult>((resolve) => {
        pending.set(id, resolve)
        sock.send(JSON.stringify({ t: 'call', id, channel, request } satisfies ClientMessage))
      })
    },
    subscribe(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set())
      listeners.get(channel)!.add(listener)
      void open().catch(() => undefined)
      return () => listeners.get(channel)?.delete(listener)
    }
  }
}
