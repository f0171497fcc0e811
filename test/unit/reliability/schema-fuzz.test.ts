import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { contract, listMembers, type RpcDef } from '../../../src/shared/contract'
import { createCore } from '../../../src/main/services'

/**
 * Every API method gets malformed requests: wrong types, missing fields, unknown fields, huge strings and
 * path traversal. None may crash the dispatcher or reach a handler: each must come back as a clear
 * INVALID_ARGUMENT naming the method. (Requests are built to be invalid, so no real work starts.)
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-schema-fuzz-'))
const core = createCore(dir, 'cli')
afterAll(() => {
  core.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const HUGE = 'A'.repeat(1_000_000)
const TRAVERSAL = '../../../../etc/passwd'

/** Field names of an object schema (through refinements/defaults), or [] for other schemas. */
function keysOf(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>
  }
  return Object.keys(json.properties ?? {})
}

function badRequests(schema: z.ZodType): { what: string; request: unknown }[] {
  const keys = keysOf(schema)
  const out: { what: string; request: unknown }[] = [
    { what: 'a number', request: 42 },
    { what: 'a string', request: TRAVERSAL },
    { what: 'an array', request: [1, 2] },
    { what: 'an unknown field', request: { __proto__polluted: true, zzUnknown: 1 } }
  ]
  for (const k of keys) {
    const others = Object.fromEntries(keys.filter((x) => x !== k).map((x) => [x, { nested: HUGE }]))
    out.push({ what: `${k} as a huge string with others wrong`, request: { ...others, [k]: HUGE } })
    out.push({ what: `${k} as an object`, request: { [k]: { $gt: '' } } })
    out.push({ what: `${k} as a negative float, others missing`, request: { [k]: -1.5, zzUnknown: TRAVERSAL } })
  }
  return out
}

describe('API request fuzzing', () => {
  const { methods } = listMembers(contract)
  for (const m of methods) {
    it(`${m.channel} refuses malformed requests`, async () => {
      const def = (contract as unknown as Record<string, Record<string, RpcDef>>)[m.service][m.method]
      for (const { what, request } of badRequests(def.request)) {
        const res = await core.dispatcher.call(m.channel, request, { transport: 'ws' })
        expect(res.ok, `${m.channel} accepted ${what}`).toBe(false)
        if (!res.ok) {
          expect(res.error.code, `${m.channel} with ${what}: ${res.error.message}`).toBe('INVALID_ARGUMENT')
          expect(res.error.message).toContain(m.channel)
          expect(res.error.message.length).toBeLessThan(2000)
        }
      }
    })
  }
})
