'use strict'
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS worker: require() is how it loads anything */
/**
 * Embedding worker (worker_threads): runs an InferencePlan (see inference-plan.ts) on its own tfjs backend,
 * WASM by default, one engine per core because tfjs-backend-wasm is single-threaded in Node.
 * Plain CommonJS on purpose: Node cannot start a .ts worker, and this file needs only node_modules.
 * embed-pool.ts inlines it with Vite's `?raw` and starts it with `eval: true`, passing `requireFrom`.
 *
 * Messages in:  {type:'init', plan, backend}  then  {type:'run', id, batch: Float32Array, n}
 * Messages out: {type:'ready', backend}  |  {type:'done', id, features: Float32Array}  |  {type:'error', id, message}
 * `batch` is n × s × s × 3 HWC float32; `features` is n × featureDim, the spatial mean of the plan's output.
 */
const path = require('node:path')
const { createRequire } = require('node:module')
const { parentPort, workerData } = require('node:worker_threads')

// Evaluated from a string, this worker's own require() would resolve from the working directory.
const requireHere = workerData && workerData.requireFrom ? createRequire(workerData.requireFrom) : require

let tf = null
let state = null

/**
 * tfjs-core alone (plus one backend) starts in a fraction of the time of the @tensorflow/tfjs union, which
 * also parses layers, converter and data. It is resolved through @tensorflow/tfjs so the versions match.
 */
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

/** Same loop as runPlan in run-plan.ts. */
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
    return tf.mean(values.get(plan.output), [1, 2])
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
      const features = y.dataSync().slice()
      tf.dispose([x, y])
      parentPort.postMessage({ type: 'done', id: msg.id, features }, [features.buffer])
    }
  } catch (err) {
    parentPort.postMessage({
      type: 'error',
      id: msg.id ?? null,
      message: err && err.message ? err.message : String(err)
    })
  }
})
