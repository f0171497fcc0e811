import { onnx } from 'onnx-proto'

/** Element types this project writes: FLOAT (1) for data, INT64 (7) for shapes and axes, UINT8 (2) for pixel inputs. */
export type TensorType = 'float32' | 'int64' | 'uint8'

const ELEM: Record<TensorType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  uint8: onnx.TensorProto.DataType.UINT8
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
  /** Operator sets by domain; embedModel replaces them with the embedded model's. */
  private readonly opsets = new Map<string, number>([['', OPSET]])
  private irVersion = 8
  private readonly functions: onnx.IFunctionProto[] = []

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
  constant(stem: string, data: Float32Array | number[], dims: number[], type: 'float32' | 'int64' = 'float32'): string {
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

  /**
   * Copies a foreign model's graph (an ONNX encoder) into this one, every value, node and initializer name
   * prefixed with `prefix` (subgraphs of If/Loop too), so it cannot clash with this graph's names. `feeds`
   * maps each of its graph inputs (initializers aside) to a value of this graph. Its operator sets, IR version
   * and functions become the model's: nodes written around it must be valid at its opset (ops such as
   * Transpose, Gather, Gemm, Softmax on the last axis, GlobalAveragePool and Flatten are, from opset 11 on).
   * Returns its graph outputs' prefixed names by their original names.
   * @throws Error naming an input without a feed, or weights stored outside the file (external data).
   */
  embedModel(model: onnx.IModelProto, prefix: string, feeds: Record<string, string>): Record<string, string> {
    const graph = model.graph
    if (!graph) throw new Error('the model has no graph')
    const rename = (n: string | null | undefined): string => (n ? prefix + n : '')
    const inits = new Set((graph.initializer ?? []).map((t) => t.name ?? ''))
    for (const v of graph.input ?? []) {
      const name = v.name ?? ''
      if (inits.has(name)) continue
      const from = feeds[name]
      if (from === undefined) throw new Error(`graph input "${name}" has no value to feed it`)
      this.used.add(rename(name))
      this.nodes.push({ opType: 'Identity', name: this.fresh(`n_feed_${name}`), input: [from], output: [rename(name)] })
    }
    const renameGraph = (g: onnx.IGraphProto): void => {
      for (const t of g.initializer ?? []) {
        if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
          throw new Error(`initializer "${t.name}" keeps its data outside the .onnx file (external data)`)
        t.name = rename(t.name)
      }
      if ((g.sparseInitializer ?? []).length > 0) throw new Error('sparse initializers are not supported')
      for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) v.name = rename(v.name)
      for (const n of g.node ?? []) {
        n.name = rename(n.name || `${n.opType}_${this.counter++}`)
        n.input = (n.input ?? []).map(rename)
        n.output = (n.output ?? []).map(rename)
        for (const a of n.attribute ?? []) {
          if (a.g) renameGraph(a.g)
          for (const sub of a.graphs ?? []) renameGraph(sub)
        }
      }
    }
    renameGraph(graph)
    for (const t of graph.initializer ?? []) this.used.add(t.name ?? '')
    for (const n of graph.node ?? []) for (const o of n.output ?? []) this.used.add(o)
    this.inits.push(...(graph.initializer ?? []))
    this.nodes.push(...(graph.node ?? []))
    for (const o of model.opsetImport ?? []) this.opsets.set(o.domain ?? '', toNumber(o.version))
    this.irVersion = Math.max(this.irVersion, toNumber(model.irVersion))
    this.functions.push(...(model.functions ?? []))
    return Object.fromEntries((graph.output ?? []).map((v) => [v.name!.slice(prefix.length), v.name!]))
  }

  /** Serialises the model; `metadata` lands in ModelProto.metadata_props (preprocessing, class names). */
  toBytes(metadata: Record<string, string> = {}): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: this.irVersion,
      producerName: 'neuropath-workstation',
      opsetImport: [...this.opsets].map(([domain, version]) => ({ domain, version })),
      functions: this.functions,
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

/** An int64 field as protobufjs decodes it (a number, or a Long where long.js is loaded). */
function toNumber(v: number | { toNumber(): number } | null | undefined): number {
  return typeof v === 'object' && v !== null ? v.toNumber() : Number(v ?? 0)
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
