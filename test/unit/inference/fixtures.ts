import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { TrainingConfigSchema, type TrainingConfigInput } from '../../../src/shared/contract'
import { encodeDicom, type WriteElement } from '../../../src/main/imaging'
import { loadBackbone } from '../../../src/main/training/backbone/load-backbone'
import { buildHead } from '../../../src/main/training/head/build-head'
import { composeModel } from '../../../src/main/training/head/compose-model'
import { makePreprocessSpec } from '../../../src/main/training/preprocess/spec'
import { saveModelArtifact, type ModelCard } from '../../../src/main/training/job/model-artifact'
import { runTraining } from '../../../src/main/training/job/run-training'
import { writeSeparableDataset } from '../run/fixtures'
import type { JobItem } from '../../../src/main/training/job/job'

/** Synthetic patient folders and models for the inference tests: small, deterministic, in a temp folder. */

export type Side = 'left' | 'right'
export const CLASS_NAMES = ['left', 'right']

/** A scratch folder under os.tmpdir() (symlinks resolved, as the services resolve them); `cleanup` removes it. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `np-infer-${prefix}-`)))
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Grey 0..255 pixels of a size×size image of class `side`: a bright disc centred at 30 % (left) or 70 % (right)
 * of the width, on a dark noisy background; the same pattern as writeSeparableDataset (test/unit/run).
 */
export function blobPixels(size: number, side: Side, seed: number): Uint8Array {
  const px = new Uint8Array(size * size)
  let s = (side === 'left' ? 1 : 2) * 7919 + seed * 104729
  const cx = side === 'left' ? size * 0.3 : size * 0.7
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      s = (Math.imul(s, 48271) >>> 0) % 0x7fffffff
      const inside = Math.hypot(x - cx, y - size / 2) < size * 0.18
      px[y * size + x] = Math.min(255, (inside ? 200 : 30) + (s % 40))
    }
  }
  return px
}

export const UID_ROOT = '1.2.826.0.1.3680043.10.1419.70'

export interface DicomSliceOptions {
  size: number
  /** One side per frame. */
  sides: Side[]
  seed: number
  patientId: string
  patientName: string
  studyUid: string
  seriesUid: string
  seriesNumber: number
  description: string
  instance: number
}

/**
 * A 16-bit MR slice (MONOCHROME2, unsigned, 12 bits stored) whose default window (C 2048 / W 4096) renders
 * back to blobPixels: stored = grey × 16. Multi-frame when `sides` has more than one entry.
 */
export function dicomSliceBytes(o: DicomSliceOptions): Uint8Array {
  const n = o.size * o.size
  const pixels = new Uint16Array(n * o.sides.length)
  o.sides.forEach((side, f) => {
    const grey = blobPixels(o.size, side, o.seed + f)
    for (let i = 0; i < n; i++) pixels[f * n + i] = grey[i] * 16
  })
  const els: WriteElement[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.4' },
    { tag: 0x00080018, vr: 'UI', value: `${o.seriesUid}.${o.instance}` },
    { tag: 0x00080020, vr: 'DA', value: '20240115' },
    { tag: 0x00080060, vr: 'CS', value: 'MR' },
    { tag: 0x0008103e, vr: 'LO', value: o.description },
    { tag: 0x00100010, vr: 'PN', value: o.patientName },
    { tag: 0x00100020, vr: 'LO', value: o.patientId },
    { tag: 0x00100030, vr: 'DA', value: '19700101' },
    { tag: 0x0020000d, vr: 'UI', value: o.studyUid },
    { tag: 0x0020000e, vr: 'UI', value: o.seriesUid },
    { tag: 0x00200011, vr: 'IS', value: o.seriesNumber },
    { tag: 0x00200013, vr: 'IS', value: o.instance },
    { tag: 0x00200032, vr: 'DS', value: [-100, -100, o.instance * 3] },
    { tag: 0x00200037, vr: 'DS', value: [1, 0, 0, 0, 1, 0] },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: o.size },
    { tag: 0x00280011, vr: 'US', value: o.size },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 12 },
    { tag: 0x00280102, vr: 'US', value: 11 },
    { tag: 0x00280103, vr: 'US', value: 0 },
    { tag: 0x00281050, vr: 'DS', value: 2048 },
    { tag: 0x00281051, vr: 'DS', value: 4096 }
  ]
  if (o.sides.length > 1) els.push({ tag: 0x00280008, vr: 'IS', value: o.sides.length })
  els.push({ tag: 0x7fe00010, vr: 'OW', value: pixels })
  return encodeDicom(els)
}

/** What a generated patient folder holds, for the assertions. */
export interface PatientFolder {
  root: string
  /** Truth per classifiable image/frame: `${path}#${frame}` → side. */
  truth: Map<string, Side>
  /** Files that must be reported: path → whether it fails at the header (true) or when decoding (false). */
  bad: Map<string, 'header' | 'decode'>
  series: { key: string; count: number; majority: Side; agreement: number }[]
}

/**
 * A patient folder: two DICOM series of patient P-001 in one study (5 left slices; 3 right + 1 left), a
 * 3-frame DICOM of patient P-002 (left, left, right), four PNGs in a folder (3 left, 1 right), and broken files:
 * a text file, a text file named .png, a DICOM with truncated pixel data and one without pixel data.
 */
export async function writePatientFolder(root: string, size = 64): Promise<PatientFolder> {
  const truth = new Map<string, Side>()
  const bad = new Map<string, 'header' | 'decode'>()
  const study1 = `${UID_ROOT}.1`
  const write = (rel: string, bytes: Uint8Array | string): string => {
    const p = path.join(root, rel)
    fs.mkdirSync(path.dirname(p), { recursive: true })
    fs.writeFileSync(p, bytes)
    return p
  }
  const p1 = { patientId: 'P-001', patientName: 'Doe^Jane', studyUid: study1, size }
  const s1 = `${UID_ROOT}.1.1`
  for (let i = 0; i < 5; i++) {
    const p = write(
      `DICOM/T1/IM${i + 1}`,
      dicomSliceBytes({
        ...p1,
        sides: ['left'],
        seed: 100 + i,
        seriesUid: s1,
        seriesNumber: 1,
        description: 'T1 AXIAL',
        instance: i + 1
      })
    )
    truth.set(`${p}#0`, 'left')
  }
  const s2 = `${UID_ROOT}.1.2`
  const s2Sides: Side[] = ['right', 'right', 'left', 'right']
  s2Sides.forEach((side, i) => {
    const p = write(
      `DICOM/T2/IM${i + 1}.dcm`,
      dicomSliceBytes({
        ...p1,
        sides: [side],
        seed: 200 + i,
        seriesUid: s2,
        seriesNumber: 2,
        description: 'T2 AXIAL',
        instance: i + 1
      })
    )
    truth.set(`${p}#0`, side)
  })
  const s3 = `${UID_ROOT}.2.1`
  const multiSides: Side[] = ['left', 'left', 'right']
  const multi = write(
    'other/cine.dcm',
    dicomSliceBytes({
      patientId: 'P-002',
      patientName: 'Roe^Richard',
      studyUid: `${UID_ROOT}.2`,
      size,
      sides: multiSides,
      seed: 300,
      seriesUid: s3,
      seriesNumber: 7,
      description: 'CINE',
      instance: 1
    })
  )
  multiSides.forEach((side, f) => truth.set(`${multi}#${f}`, side))
  const pngSides: Side[] = ['left', 'left', 'right', 'left']
  for (const [i, side] of pngSides.entries()) {
    const p = path.join(root, 'png', `slice${i + 1}.png`)
    fs.mkdirSync(path.dirname(p), { recursive: true })
    await sharp(blobPixels(size, side, 400 + i), { raw: { width: size, height: size, channels: 1 } })
      .png()
      .toFile(p)
    truth.set(`${p}#0`, side)
  }
  bad.set(write('broken/notes.txt', 'Referral letter, not an image.\n'.repeat(5)), 'header')
  bad.set(write('broken/fake.png', 'This is text, not a PNG.\n'.repeat(5)), 'header')
  const full = dicomSliceBytes({
    ...p1,
    sides: ['left'],
    seed: 900,
    seriesUid: `${UID_ROOT}.9.9`,
    seriesNumber: 99,
    description: 'BROKEN',
    instance: 1
  })
  bad.set(write('broken/truncated.dcm', full.subarray(0, full.length - 4000)), 'decode')
  const noPixels = encodeDicom([
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.4' },
    { tag: 0x00080018, vr: 'UI', value: `${UID_ROOT}.9.8.1` },
    { tag: 0x00100020, vr: 'LO', value: 'P-001' },
    { tag: 0x0020000e, vr: 'UI', value: `${UID_ROOT}.9.8` },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: size },
    { tag: 0x00280011, vr: 'US', value: size },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 12 },
    { tag: 0x00280102, vr: 'US', value: 11 },
    { tag: 0x00280103, vr: 'US', value: 0 }
  ])
  bad.set(write('broken/no-pixels.dcm', noPixels), 'decode')
  return {
    root,
    truth,
    bad,
    series: [
      { key: `series:${s1}`, count: 5, majority: 'left', agreement: 1 },
      { key: `series:${s2}`, count: 4, majority: 'right', agreement: 0.75 },
      { key: `series:${s3}`, count: 3, majority: 'left', agreement: 2 / 3 },
      { key: 'folder:png', count: 4, majority: 'left', agreement: 0.75 }
    ]
  }
}

/** SHA-256 and size of every file under `dir`, by relative path, plus every folder: a fingerprint of the tree. */
export function treeFingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (at: string): void => {
    for (const e of fs.readdirSync(at, { withFileTypes: true })) {
      const p = path.join(at, e.name)
      const rel = path.relative(dir, p)
      if (e.isDirectory()) {
        out[rel + '/'] = 'dir'
        walk(p)
      } else {
        const st = fs.statSync(p)
        out[rel] = `${createHash('sha256').update(fs.readFileSync(p)).digest('hex')} ${st.size} ${st.mtimeMs}`
      }
    }
  }
  walk(dir)
  return out
}

/**
 * Trains a left/right classifier on generated PNGs (writeSeparableDataset) and returns its model folder.
 * Default: the nsfwjs MobileNetV2 at 64 px (feature map 2 × 2), stage 1 on embeddings only, 64 px images.
 * `items` replaces the generated training set (labels index CLASS_NAMES).
 */
export async function trainLeftRightModel(
  dir: string,
  config: TrainingConfigInput = {},
  imageSize = 64,
  items?: JobItem[]
): Promise<string> {
  items ??= await writeSeparableDataset(path.join(dir, 'train-data'), 16, imageSize)
  const res = await runTraining(
    {
      kind: 'train',
      runId: 1,
      classNames: CLASS_NAMES,
      items,
      modelDir: path.join(dir, 'left-right'),
      cacheDir: path.join(dir, 'cache'),
      resume: false,
      dataset: { id: 1, name: 'left-right', versionId: 1, fingerprint: null },
      config: TrainingConfigSchema.parse({
        backbone: { kind: 'nsfwjs' },
        inputSize: 64,
        batchSize: 8,
        stage1: { epochs: 15, mode: 'embeddings', learningRate: 3e-3 },
        stage2: { enabled: false },
        augmentation: { enabled: false },
        ...config
      })
    },
    () => undefined,
    new AbortController().signal
  )
  return res.modelDir
}

/**
 * A model folder with an untrained head on the seeded random MobileNetV2 (fast to make; predictions are
 * meaningless but well-formed), for tests of the plumbing.
 */
export async function writeUntrainedModel(
  dir: string,
  inputSize = 32,
  classNames = ['alpha', 'beta', 'gamma'],
  backboneKind: 'random' | 'nsfwjs' = 'random'
): Promise<string> {
  const backbone = await loadBackbone({ kind: backboneKind, inputSize, seed: 7 })
  const head = buildHead({ numClasses: classNames.length, fc1Units: 16, fc2Units: 8, seed: 3 }, 1280)
  const { model } = composeModel(backbone.model, head, { name: 'untrained' })
  const config = TrainingConfigSchema.parse({ backbone: { kind: backboneKind }, inputSize })
  const card: ModelCard = {
    format: 'neuropath-model',
    version: 1,
    classNames,
    preprocessing: makePreprocessSpec(inputSize, backbone.source.inputScaling),
    inputSize,
    backbone: backbone.source,
    config,
    dataset: { id: 0, name: 'none', versionId: 0, fingerprint: null },
    training: { stage1Epochs: 0, stage2Epochs: 0, backend: 'none', finishedAt: new Date().toISOString() },
    metrics: { bestValAccuracy: null, test: null },
    featureLayer: backbone.model.outputs[0].sourceLayer.name
  }
  await saveModelArtifact(model, dir, card)
  model.dispose()
  return dir
}
