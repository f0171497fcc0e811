import { onnx } from 'onnx-proto'

/** Element types this project writes: FLOAT (1) for data, INT64 (7) for shapes and axes. */
export type TensorType = 'float32' | 'int64'

const ELEM: Record<TensorType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64
}

/** A dimension: a fixed size, or a named symbolic one such as 'batch'. */
export type Dim = number | string

/** Attribute values an ONNX node takes here: ints, floats, int lists, strings. */
export type AttrValue = number | number[] | string | { float: number }

/** The opset every graph of this project targets (ONNX Runtime 1.31 implements it fully on the CPU). */
export const OPSET = 17

/**
 * Builds one ONNX ModelProto (IR 8, opset 17) from JavaScript with the maintained `onnx-proto` definitions,
 * so no protobuf encoding is written by hand. Names are made unique by the builder; every method returns
 * the value name(s) it produced, so graphs read as straight-line code.
 */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = []
  private readonly inits: onnx.ITensorProto[] = []
  private readonly inputs: onnx.IValueInfoProto[] = []
  private readonly outputs: onnx.IValueInfoProto[] = []
  private readonly used = new Set<string>()
  private counter = 0

  constructor(private readonly graphName: string) {}

  /** A fresh value name with the given stem. */
  fresh(stem: string): string {
    let n = stem
    while (this.used.has(n)) n = `${stem}_${++this.counter}`
    this.used.add(n)
    return n
  }

  /** Declares a graph input. */
  input(name: string, dims: Dim[], type: TensorType = 'float32'): string {
    this.used.add(name)
    this.inputs.push(valueInfo(name, dims, type))
    return name
  }

  /** Declares a graph output (an existing value). */
  output(name: string, dims: Dim[], type: TensorType = 'float32'): string {
    this.outputs.push(valueInfo(name, dims, type))
    return name
  }

  /** A constant tensor stored in the model (weights, shapes, axes). */
  constant(stem: string, data: Float32Array | number[], dims: number[], type: TensorType = 'float32'): string {
    const name = this.fresh(stem)
    const t: onnx.ITensorProto = { name, dims, dataType: ELEM[type] }
    if (type === 'float32') {
      const f = data instanceof Float32Array ? data : Float32Array.from(data)
      t.rawData = new Uint8Array(f.buffer, f.byteOffset, f.byteLength)
    } else t.int64Data = Array.from(data, Number)
    this.inits.push(t)
    return name
  }

  /** An int64 vector constant (Reshape shapes, Transpose-free axes inputs). */
  ints(stem: string, values: number[]): string {
    return this.constant(stem, values, [values.length], 'int64')
  }

  /** Adds a node with one output; returns the output's name. */
  op(type: string, inputs: string[], attrs: Record<string, AttrValue> = {}, stem = type.toLowerCase()): string {
    return this.opN(type, inputs, 1, attrs, stem)[0]
  }

  /** Adds a node with `n` outputs; returns their names. */
  opN(
    type: string,
    inputs: string[],
    n: number,
    attrs: Record<string, AttrValue> = {},
    stem = type.toLowerCase()
  ): string[] {
    const outs = Array.from({ length: n }, (_, i) => this.fresh(n === 1 ? stem : `${stem}_${i}`))
    this.nodes.push({
      opType: type,
      name: this.fresh(`n_${stem}`),
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v))
    })
    return outs
  }

  /** Serialises the model; `metadata` lands in ModelProto.metadata_props (preprocessing, class names). */
  toBytes(metadata: Record<string, string> = {}): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: 8,
      producerName: 'neuropath-workstation',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs
      },
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value }))
    }
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish()
  }
}

function valueInfo(name: string, dims: Dim[], type: TensorType): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) }
      }
    }
  }
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) }
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v }
  if (typeof v === 'object') return { name, type: A.FLOAT, f: v.float }
  return { name, type: A.INT, i: v }
}
