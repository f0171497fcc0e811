import { createApiClient } from '../../shared/api-client'
import type { Api, DatasetSummary } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { Core } from '../services'

/** The typed API over an in-process core, exactly as a UI would call it (validation included). */
export function directApi(core: Core): Api {
  return createApiClient({
    call: (channel, request) => core.dispatcher.call(channel, request, { transport: 'direct' }),
    subscribe: (channel, listener) => core.ctx.hub.subscribe((ch, payload) => ch === channel && listener(payload))
  })
}

/** The dataset with this name (case-insensitive); NOT_FOUND lists the names that exist. */
export async function datasetByName(api: Api, name: string): Promise<DatasetSummary> {
  const all = await api.datasets.list({})
  const found = all.find((d) => d.name.toLowerCase() === name.trim().toLowerCase())
  if (!found) {
    const known = all.length
      ? `known: ${all.map((d) => `"${d.name}"`).join(', ')}`
      : 'the workspace has no datasets yet'
    throw new AppError('NOT_FOUND', `dataset "${name}" does not exist (${known})`)
  }
  return found
}
