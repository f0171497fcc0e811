import type { GraphBuilder } from './graph-builder'

/**
 * Emits the backward nodes of one recorded op. `gy` is the name of dLoss/dOutput; `needs[i]` says
 * whether input i needs a gradient (frozen weights and the image input do not). Returns one gradient
 * name per input (null where not needed), each with the input's shape.
 */
export type BackwardRule = (g: GraphBuilder, gy: string, needs: readonly boolean[]) => (string | null)[]

interface Recorded {
  output: string
  inputs: string[]
  backward: BackwardRule
}

/**
 * Reverse-mode differentiation over an ONNX graph under construction: ops record how to send a gradient
 * back to their inputs, and `gradients` writes the backward pass as more ONNX nodes, so one ONNX Runtime
 * session computes the loss and every parameter gradient in a single run. Only values that depend on a
 * parameter get gradients; a value used twice (a residual connection) has its gradients summed.
 */
export class Tape {
  private readonly ops: Recorded[] = []
  private readonly differentiable = new Set<string>()

  constructor(readonly g: GraphBuilder) {}

  /** Marks a graph input as a parameter: gradients flow to it. */
  param(name: string): string {
    this.differentiable.add(name)
    return name
  }

  /** Records that `output` was computed from `inputs`, with the rule that sends its gradient back. */
  record(output: string, inputs: string[], backward: BackwardRule): string {
    if (inputs.some((i) => this.differentiable.has(i))) {
      this.differentiable.add(output)
      this.ops.push({ output, inputs, backward })
    }
    return output
  }

  /** Whether a value depends on a parameter. */
  needsGrad(name: string): boolean {
    return this.differentiable.has(name)
  }

  /** Writes the backward pass of scalar `loss` and returns dLoss/dParam for each of `params`, by name. */
  gradients(loss: string, params: readonly string[]): Map<string, string> {
    const grads = new Map<string, string[]>([[loss, [this.g.constant('one', [1], [])]]])
    const total = (name: string): string | null => {
      const parts = grads.get(name)
      if (!parts || parts.length === 0) return null
      const sum = parts.length === 1 ? parts[0] : this.g.op('Sum', parts, {}, `grad_${name}`)
      grads.set(name, [sum])
      return sum
    }
    for (let i = this.ops.length - 1; i >= 0; i--) {
      const op = this.ops[i]
      const gy = total(op.output)
      if (!gy) continue
      const needs = op.inputs.map((n) => this.differentiable.has(n))
      const gx = op.backward(this.g, gy, needs)
      op.inputs.forEach((n, k) => {
        const gk = gx[k]
        if (needs[k] && gk) grads.set(n, [...(grads.get(n) ?? []), gk])
      })
    }
    const out = new Map<string, string>()
    for (const p of params) {
      const gp = total(p)
      if (!gp) throw new Error(`autodiff: parameter "${p}" does not reach the loss`)
      out.set(p, gp)
    }
    return out
  }
}
