import type { Handlers } from '../../shared/contract'
import { APP_VERSION, PRODUCT_NAME } from '../app-meta'
import { MIGRATIONS } from '../catalog/migrations'
import { selectBackend } from '../compute/backend'
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
        backend: await selectBackend(),
        shell: ctx.shell,
        platform: `${process.platform}-${process.arch}`,
        node: process.versions.node
      }
    },
    listJobs: () => ctx.jobs.list()
  }
}
