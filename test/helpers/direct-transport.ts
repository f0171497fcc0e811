import type { Transport } from '../../src/shared/api-client'
import type { Core } from '../../src/main/services'

/** The real dispatcher in-process: what IPC and the WebSocket carry, minus the wire. */
export function directTransport(c: Core): Transport {
  return {
    call: (channel, request) => c.dispatcher.call(channel, request, { transport: 'direct' }),
    subscribe: (channel, listener) => c.ctx.hub.subscribe((ch, p) => ch === channel && listener(p))
  }
}
