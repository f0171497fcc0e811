'use strict'
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS worker: require() is how it loads anything */
/**
 * Feature-map worker (worker_threads) for batch classification: runs an InferencePlan (training/backbone/
 * inference-plan.ts) on its own tfjs backend, WASM by default (single-threaded in Node, so one worker per
 * core), and returns the plan's output feature map itself, not its spatial mean: Grad-CAM needs it.
 * Plain CommonJS, inlined by feature-pool.ts with Vite's `?raw` and started with `eval: true`; `requireFrom`
 * makes require() resolve node_modules from the bundle rather than from the working directory.
 *
 * Messages in:  {type:'init', plan, backend}  then  {type:'run', id, batch: Float32Array, n}
 * Messages out: {type:'ready', backend}  |  {type:'done', id, maps: Float32Array, shape}  |  {type:'error', id, message}
 * `batch` is n × s × s × 3 HWC float32; `maps` is n × h × w × C float32, `shape` = [n, h, w, C].
 * The op loop is the one of runPlan (run-plan.ts) and embed-worker.cjs without the final mean.
 */
const path = require('node:path')
const { createRequire } = require('node:module')
const { parentPort, workerData } = require('node:worker_threads')

const requireHere = workerData && workerData.requireFrom ? createRequire(workerData.requireFrom) : require

let tf = null
let state = null

/** tfjs-core plus one backend starts much faster than the @tensorflow/tfjs union; resolved through it so versions match. */
function requireTf(name) {
  return requireHere(requireHere.resolve(name, { paths: [path.dirname(requireHere.resolve('@tensorflow/tfjs'))] }))
}

async function init(plan, backend) {
  tf = requireTf('@tensorflow/tfjs-core')
  let active = 'cpu'
  if (backend === 'wasm') {
    const wasm = requireHere('@tensorflow/tfjs-backend-wasm')
    wasm.setWasmPaths(
      path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep
    )
    if (await tf.setBackend('wasm')) active = 'wasm'
  }
  if (active !== 'wasm') {
    requireTf('@tensorflow/tfjs-backend-cpu')
    if (!(await tf.setBackend('cpu'))) throw new Error('neither the wasm nor the cpu tfjs backend started')
  }
  await tf.ready()
  const filters = new Map()
  const biases = new Map()
  for (const op of plan.ops) {
    if (!op.filter) continue
    filters.set(op.name, tf.tensor4d(op.filter, op.filterShape))
    biases.set(op.name, tf.tensor1d(op.bias))
  }
  state = { plan, filters, biases }
  return tf.getBackend()
}

function run(x) {
  const { plan, filters, biases } = state
  return tf.tidy(() => {
    const values = new Map([[plan.inputName, x]])
    for (const op of plan.ops) {
      const a = values.get(op.inputs[0])
      let y
      if (op.op === 'conv' || op.op === 'depthwise') {
        const args = {
          x: a,
          filter: filters.get(op.name),
          bias: biases.get(op.name),
          strides: op.strides || [1, 1],
          pad: op.pad || 'valid',
          activation: op.activation === 'relu6' ? 'relu6' : 'linear'
        }
        y = op.op === 'conv' ? tf.fused.conv2d(args) : tf.fused.depthwiseConv2d(args)
      } else if (op.op === 'add') y = tf.add(a, values.get(op.inputs[1]))
      else if (op.op === 'pad') y = tf.pad(a, op.pad)
      else y = tf.clipByValue(a, 0, 6)
      values.set(op.name, y)
    }
    return tf.clone(values.get(plan.output))
  })
}

parentPort.on('message', async (msg) => {
  try {
    if (msg.type === 'init') {
      const backend = await init(msg.plan, msg.backend)
      parentPort.postMessage({ type: 'ready', backend })
    } else if (msg.type === 'run') {
      const s = state.plan.inputSize
      const x = tf.tensor4d(msg.batch, [msg.n, s, s, 3])
      const y = run(x)
      const maps = y.dataSync().slice()
      const shape = y.shape
      tf.dispose([x, y])
      parentPort.postMessage({ type: 'done', id: msg.id, maps, shape }, [maps.buffer])
    }
  } catch (err) {
    parentPort.postMessage({
      type: 'error',
      id: msg.id ?? null,
      message: err && err.message ? err.message : String(err)
    })
  }
})
