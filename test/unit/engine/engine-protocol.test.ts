import { fork, spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { probeJob } from '../../../src/main/compute/engine-backend'
import { runInEngine } from '../../../src/main/engine/engine-host'
import { defineEngineJob, noEvents } from '../../../src/main/engine/job-kind'
import type { EngineLauncher } from '../../../src/main/engine/launcher'
import { LiveEngines } from '../../../src/main/engine/live-engines'
import { isProcessAlive } from '../../../src/main/engine/job-state'
import { PARENT_PID_ENV } from '../../../src/main/engine/protocol'
import { builtEngine } from '../../helpers/engine'

/** A job kind for the host-side checks: counts up to `n`, one event per step. */
const countJob = defineEngineJob({
  kind: 'count',
  params: z.object({ n: z.number().int().positive() }),
  event: z.object({ step: z.number().int() }),
  result: z.object({ total: z.number().int() })
})

/**
 * An in-memory engine process: replies to 'start' with the scripted messages, then exits with `exitCode`
 * (unless the host kills it first). Records what the host sent and whether it killed it.
 */
function scripted(messages: unknown[], exitCode: number | null = 0) {
  const seen = { sent: [] as unknown[], killed: false, launched: 0 }
  const launcher: EngineLauncher = () => {
    seen.launched++
    let onMessage: (m: unknown) => void = () => undefined
    let onExit: (code: number | null, signal: string | null) => void = () => undefined
    let exited = false
    const exit = (code: number | null, signal: string | null) => {
      if (exited) return
      exited = true
      setImmediate(() => onExit(code, signal))
    }
    return {
      pid: 4242,
      send: (m) => {
        seen.sent.push(m)
        if ((m as { t: string }).t !== 'start') return
        setImmediate(() => {
          for (const msg of messages) onMessage(msg)
          if (exitCode !== null) exit(exitCode, null)
        })
      },
      onMessage: (l) => (onMessage = l),
      onExit: (l) => (onExit = l),
      kill: () => {
        seen.killed = true
        exit(null, 'SIGKILL')
      }
    }
  }
  return { launcher, seen }
}

describe('engine host: the declaration is checked on both sides', () => {
  it('delivers typed events and the result of a well-behaved engine', async () => {
    const { launcher, seen } = scripted([
      { t: 'ready', backend: 'cpu', pid: 4242 },
      { t: 'event', event: { step: 1 } },
      { t: 'event', event: { step: 2 } },
      { t: 'done', result: { total: 2 } }
    ])
    const steps: number[] = []
    const res = await runInEngine({
      launcher,
      entry: 'x',
      job: countJob,
      params: { n: 2 },
      onEvent: (e) => steps.push(e.step)
    })
    expect(res).toEqual({ total: 2 })
    expect(steps).toEqual([1, 2])
    expect(seen.sent[0]).toEqual({ t: 'start', kind: 'count', params: { n: 2 } })
  })

  it('refuses bad parameters before starting any process', async () => {
    const { launcher, seen } = scripted([])
    await expect(
      runInEngine({ launcher, entry: 'x', job: countJob, params: { n: -1 }, onEvent: () => undefined })
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/engine job "count": bad parameters \(n:/)
    })
    expect(seen.launched).toBe(0)
  })

  it('ends an engine whose event breaks the declaration and names the job', async () => {
    const { launcher, seen } = scripted([{ t: 'event', event: { step: 'one' } }], null)
    const steps: unknown[] = []
    await expect(
      runInEngine({ launcher, entry: 'x', job: countJob, params: { n: 1 }, onEvent: (e) => steps.push(e) })
    ).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(
        /engine job "count" \(pid 4242\) sent an event that does not match its declaration \(step:/
      )
    })
    expect(steps).toEqual([])
    expect(seen.killed).toBe(true)
  })

  it('refuses a result that breaks the declaration', async () => {
    const { launcher } = scripted([{ t: 'done', result: { total: 'two' } }], null)
    await expect(
      runInEngine({ launcher, entry: 'x', job: countJob, params: { n: 1 }, onEvent: () => undefined })
    ).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/a result that does not match/) })
  })

  it('reports a crash as ENGINE_CRASHED with the exit code', async () => {
    const { launcher } = scripted([{ t: 'event', event: { step: 1 } }], 3)
    await expect(
      runInEngine({ launcher, entry: 'x', job: countJob, params: { n: 1 }, onEvent: () => undefined })
    ).rejects.toMatchObject({ code: 'ENGINE_CRASHED', message: expect.stringMatching(/pid 4242.*exit code 3/) })
  })

  it('stopAll asks every live engine to stop, kills it after the grace period and waits for the exit', async () => {
    const { launcher, seen } = scripted([{ t: 'ready', backend: 'cpu', pid: 4242 }], null)
    const live = new LiveEngines()
    const hooks: string[] = []
    live.onStop(() => hooks.push('interrupted recorded'))
    const run = runInEngine({ launcher, entry: 'x', live, job: countJob, params: { n: 1 }, onEvent: () => undefined })
    await new Promise((r) => setTimeout(r, 20))
    expect(live.size).toBe(1)
    await live.stopAll(50)
    expect(hooks).toEqual(['interrupted recorded'])
    expect(seen.sent).toContainEqual({ t: 'cancel' })
    expect(seen.killed).toBe(true)
    expect(live.size).toBe(0)
    await expect(run).rejects.toMatchObject({ code: 'ENGINE_CRASHED' })
  })
})

describe('the real engine process (out/main/engine.js)', () => {
  it('runs a declared job and validates its result on the host', async () => {
    const info = await runInEngine({ ...builtEngine(), job: probeJob, params: {}, onEvent: () => undefined })
    expect(typeof info.active).toBe('string')
  })

  it('refuses a kind it has no handler for, naming it', async () => {
    const unknown = defineEngineJob({ kind: 'no-such-job', params: z.object({}), event: noEvents, result: z.null() })
    await expect(
      runInEngine({ ...builtEngine(), job: unknown, params: {}, onEvent: () => undefined })
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'the engine cannot run a job of kind "no-such-job"' })
  })

  it("checks parameters on entry with the handler's own declaration", async () => {
    // A host-side declaration that lets anything through, for the registered kind 'calibrate'.
    const loose = defineEngineJob({ kind: 'calibrate', params: z.any(), event: noEvents, result: z.any() })
    await expect(
      runInEngine({
        ...builtEngine(),
        job: loose,
        params: { kind: 'calibrate', check: 'yes' },
        onEvent: () => undefined
      })
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/engine job "calibrate": bad parameters/)
    })
  })
})

/** Waits until `pid` is gone, up to `ms`; true if it went. */
async function gone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (!isProcessAlive(pid)) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return !isProcessAlive(pid)
}

/** A long-lived Node process that starts nothing (or forks the built engine) and prints the engine's pid. */
function nodeProcess(script: string) {
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
}

describe('an engine whose app dies exits on its own', () => {
  it('a forked child: its IPC channel closes when the parent is killed', async () => {
    const entry = builtEngine().entry
    const parent = nodeProcess(
      `const c = require('node:child_process').fork(${JSON.stringify(entry)}, [], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000)`
    )
    const engine = await new Promise<number>((r) => parent.stdout.once('data', (d) => r(Number(String(d).trim()))))
    await new Promise((r) => setTimeout(r, 500))
    expect(isProcessAlive(engine)).toBe(true)
    parent.kill('SIGKILL')
    const exited = await gone(engine, 10_000)
    if (!exited) process.kill(engine, 'SIGKILL')
    expect(exited).toBe(true)
  }, 20_000)

  it('the parent-pid watchdog (an Electron utility process has no disconnect event)', async () => {
    // The channel to this test process stays open, so only the watchdog on the named app pid can end it.
    const app = nodeProcess('setInterval(() => {}, 1000)')
    const engine = fork(builtEngine().entry, [], {
      stdio: 'ignore',
      env: { ...process.env, [PARENT_PID_ENV]: String(app.pid) }
    })
    try {
      await new Promise((r) => setTimeout(r, 3_000))
      expect(isProcessAlive(engine.pid!)).toBe(true)
      app.kill('SIGKILL')
      expect(await gone(engine.pid!, 10_000)).toBe(true)
    } finally {
      engine.kill('SIGKILL')
      app.kill('SIGKILL')
    }
  }, 20_000)
})
