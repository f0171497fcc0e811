import { selectBackend } from '../compute/backend'
import { serveEngine } from '../engine/engine-child'
import { engineHandlers } from './engine-handlers'

// Entry of an engine process (forked child or Electron utility process), built as out/main/engine.js:
// runs one job of a registered kind and exits. The backend is chosen here, once, in the engine process.
serveEngine(engineHandlers, async () => (await selectBackend()).active)
