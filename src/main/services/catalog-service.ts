import type { Handlers } from '../../shared/contract'
import type { AppContext } from './app-context'

export function catalogHandlers(ctx: AppContext): Handlers['catalog'] {
  const settings = ctx.workspace.settings
  return {
    listSettings: () => settings.list(),
    getSetting: ({ key }) => settings.get(key),
    setSetting: ({ key, value }) => settings.set(key, value)
  }
}
