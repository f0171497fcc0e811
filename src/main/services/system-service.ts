import type { Handlers } from '../../shared/contract'
import { APP_VERSION, PRODUCT_NAME } from '../app-meta'
import { MIGRATIONS } from '../catalog/migrations'
import { engineBackend } from '../compute/engine-backend'
import { AppError } from '../../shared/errors'
import { grantsFor } from '../security/path-grants'
import type { AppContext } from './app-context'

export function systemHandlers(ctx: AppContext): Handlers['system'] {
  return {
    async getInfo() {
      return {
        product: PRODUCT_NAME,
        version: APP_VERSION,
        workspace: ctx.workspace.dir,
        catalogSchemaVersion: ctx.workspace.schemaVersion,
        catalogSchemaLatest: MIGRATIONS.length,
        backend: await engineBackend(ctx.engine),
        shell: ctx.shell,
        platform: `${process.platform}-${process.arch}`,
        node: process.versions.node
      }
    },
    listJobs: () => ctx.jobs.list(),
    async pickPaths(opts) {
      if (!ctx.pickPaths)
        throw new AppError(
          'UNSUPPORTED',
          'there is no native file dialog in browser mode: type or paste the path instead'
        )
      const picked = await ctx.pickPaths(opts)
      // What the user picked in the dialog is theirs to open: grant it to the renderer.
      return Promise.all(picked.map((p) => grantsFor(ctx).grant(p)))
    }
  }
}
