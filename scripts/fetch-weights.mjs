#!/usr/bin/env node
// Downloads the official Keras ImageNet MobileNetV2 weights (no top, α 1.0, 224) into resources/, where
// the internet is reachable. The app never downloads anything at run time; pick this file as a backbone.
import fs from 'node:fs'
import path from 'node:path'

const NAME = 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5'
const SOURCE = `https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/${NAME}`
const out = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'resources', NAME)

if (fs.existsSync(out)) {
  console.log(`already present: ${out}`)
  process.exit(0)
}
try {
  const res = await fetch(SOURCE)
  if (!res.ok) throw new Error(`HTTP ${res.status}`)
  const bytes = Buffer.from(await res.arrayBuffer())
  // HDF5 files start with the signature \x89HDF\r\n\x1a\n.
  if (bytes.subarray(1, 4).toString() !== 'HDF') throw new Error('the download is not an HDF5 file')
  fs.writeFileSync(out + '.part', bytes)
  fs.renameSync(out + '.part', out)
  console.log(`saved ${out} (${(bytes.length / 2 ** 20).toFixed(1)} MiB)`)
} catch (err) {
  console.error(`fetch-weights: cannot download ${SOURCE}: ${err.message}`)
  console.error(
    'Without it, training uses the offline nsfwjs backbone; copy the file into resources/ by hand to use it.'
  )
  process.exit(1)
}
