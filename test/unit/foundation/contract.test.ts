import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createApiClient, type Transport } from '../../../src/shared/api-client'
import { contract, listMembers } from '../../../src/shared/contract'
import { AppError, fromEnvelope, toEnvelope } from '../../../src/shared/errors'
import { createCore, type Core } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'

let core: Core | null = null
let dir = ''
afterEach(() => {
  core?.close()
  core = null
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

function openCore(): Core {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-contract-'))
  core = createCore(dir, 'cli', builtEngine())
  return core
}

/** An in-process transport over the real dispatcher: what IPC and the WebSocket do, minus the wire. */
function directTransport(c: Core): Transport {
  return {
    call: (channel, request) => c.dispatcher.call(channel, request, { transport: 'direct' }),
    subscribe: (channel, listener) => c.ctx.hub.subscribe((ch, p) => ch === channel && listener(p))
  }
}

describe('error envelope', () => {
  it('round-trips name, code and message into a real Error', () => {
    const env = toEnvelope(new AppError('CORRUPT', 'scan.dcm: truncated pixel data', 'DicomError'))
    expect(env).toEqual({ name: 'DicomError', code: 'CORRUPT', message: 'scan.dcm: truncated pixel data' })
    const back = fromEnvelope(JSON.parse(JSON.stringify(env)))
    expect(back).toBeInstanceOf(Error)
    expect([back.name, back.code, back.message]).toEqual(['DicomError', 'CORRUPT', 'scan.dcm: truncated pixel data'])
  })

  it('maps unknown throwables to INTERNAL and keeps their message', () => {
    expect(toEnvelope(new TypeError('x is undefined'))).toEqual({
      name: 'TypeError',
      code: 'INTERNAL',
      message: 'x is undefined'
    })
    expect(toEnvelope('plain string').code).toBe('INTERNAL')
    expect(fromEnvelope({ name: 'E', code: 'NOPE' as never, message: 'm' }).code).toBe('INTERNAL')
  })
})

describe('contract dispatch', () => {
  it('has a handler for every method and names events onX', () => {
    const c = openCore()
    const { methods, events } = listMembers(contract)
    expect(c.dispatcher.channels.sort()).toEqual(methods.map((m) => m.channel).sort())
    for (const e of events) expect(e.event).toMatch(/^on[A-Z]/)
  })

  it('validates requests at the boundary and reports the field and reason', async () => {
    const c = openCore()
    const bad = await c.dispatcher.call('catalog.setSetting', { key: 'Bad Key!', value: 1 }, { transport: 'direct' })
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      expect(bad.error.code).toBe('INVALID_ARGUMENT')
      expect(bad.error.message).toMatch(/catalog\.setSetting: invalid request: key:/)
    }
    const extra = await c.dispatcher.call('system.getInfo', { path: '../../etc/passwd' }, { transport: 'direct' })
    expect(extra.ok).toBe(false)
    const unknown = await c.dispatcher.call('system.rmrf', {}, { transport: 'direct' })
    expect(unknown.ok || unknown.error.code).toBe('NOT_FOUND')
    const huge = await c.dispatcher.call(
      'catalog.setSetting',
      { key: 'a', value: 'x'.repeat(70_000) },
      { transport: 'direct' }
    )
    expect(huge.ok).toBe(false)
  })

  it('gives callers typed results and real Errors through the client', async () => {
    const api = createApiClient(directTransport(openCore()))
    const saved = await api.catalog.setSetting({ key: 'viewer.invert', value: { on: true } })
    expect(saved.value).toEqual({ on: true })
    expect((await api.catalog.getSetting({ key: 'viewer.invert' }))?.value).toEqual({ on: true })
    await expect(api.catalog.getSetting({ key: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    const info = await api.system.getInfo({})
    expect(info.product).toBe('NeuroPath Workstation')
    expect(info.catalogSchemaVersion).toBe(info.catalogSchemaLatest)
    // What an engine process selects (a probe job in the built engine), not this process.
    expect(info.backend.measuredIn).toBe('engine')
    expect(['node-gpu', 'ort', 'node', 'wasm', 'cpu']).toContain(info.backend.active)
    // Every backend before the active one carries the reason it was not used.
    const before = info.backend.candidates.slice(
      0,
      info.backend.candidates.findIndex((x) => x.name === info.backend.active)
    )
    for (const cand of before) expect(cand.reason).toBeTruthy()
  })

  it('delivers events to subscribers', async () => {
    const c = openCore()
    const api = createApiClient(directTransport(c))
    const seen: number[] = []
    const off = api.system.onJobsChanged((jobs) => seen.push(jobs.length))
    const id = c.ctx.jobs.start('import', 'Import test')
    c.ctx.jobs.update(id, { progress: 0.5 })
    off()
    c.ctx.jobs.update(id, { state: 'done' })
    expect(seen).toEqual([1, 1])
  })
})
