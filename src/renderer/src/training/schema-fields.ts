import { z } from 'zod'
import { TrainingConfigSchema } from '../../../shared/contract/training-config'

/** A JSON-schema node as z.toJSONSchema writes it (the subset the form reads). */
interface JsonNode {
  type?: string
  title?: string
  description?: string
  default?: unknown
  enum?: unknown[]
  properties?: Record<string, JsonNode>
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
}

/** One input of the generated form. `path` addresses the value inside the config, e.g. ['stage2', 'epochs']. */
export interface LeafField {
  kind: 'number' | 'integer' | 'boolean' | 'enum' | 'string'
  key: string
  path: string[]
  title: string
  description: string
  default: unknown
  options: string[]
  min: number | null
  max: number | null
  /** True when min/max themselves are not allowed (e.g. learning rate > 0). */
  exclusiveMin: boolean
  exclusiveMax: boolean
}

/** A section of the form: an object of the schema (stage 1, augmentation, …). */
export interface GroupField {
  kind: 'group'
  key: string
  path: string[]
  title: string
  description: string
  children: FormField[]
}

export type FormField = LeafField | GroupField

const humanise = (key: string) => key.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase())

function walk(node: JsonNode, key: string, path: string[]): FormField {
  const title = node.title ?? humanise(key)
  const description = node.description ?? ''
  if (node.type === 'object' && node.properties) {
    return {
      kind: 'group',
      key,
      path,
      title,
      description,
      children: Object.entries(node.properties).map(([k, child]) => walk(child, k, [...path, k]))
    }
  }
  const min = node.minimum ?? node.exclusiveMinimum ?? null
  const max = node.maximum ?? node.exclusiveMaximum ?? null
  const kind: LeafField['kind'] = node.enum
    ? 'enum'
    : node.type === 'boolean'
      ? 'boolean'
      : node.type === 'integer'
        ? 'integer'
        : node.type === 'number'
          ? 'number'
          : 'string'
  return {
    kind,
    key,
    path,
    title,
    description,
    default: node.default,
    options: (node.enum ?? []).map(String),
    min,
    max,
    exclusiveMin: node.exclusiveMinimum !== undefined,
    exclusiveMax: node.exclusiveMaximum !== undefined
  }
}

/**
 * The form's fields, generated from the engine's config schema (z.toJSONSchema of TrainingConfigSchema):
 * a new field in the schema appears in the form with its title, help, bounds and default without UI changes.
 */
export function configFields(): FormField[] {
  const root = z.toJSONSchema(TrainingConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonNode
  return Object.entries(root.properties ?? {}).map(([k, node]) => walk(node, k, [k]))
}

/** The value at `path` in a nested object, or undefined. */
export function getAt(obj: unknown, path: readonly string[]): unknown {
  let cur = obj
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[k]
  }
  return cur
}

/** A copy of `obj` with `value` at `path` (objects along the path are copied, the rest shared). */
export function setAt<T>(obj: T, path: readonly string[], value: unknown): T {
  if (path.length === 0) return value as T
  const [k, ...rest] = path
  const base = obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>) : {}
  return { ...base, [k]: setAt(base[k], rest, value) } as T
}

/** A field's allowed range in interval notation: '[1, 8192]', '(0, 1]', '≥ 0'. */
export function rangeText(f: LeafField): string {
  if (f.min === null && f.max === null) return ''
  if (f.max === null) return `${f.exclusiveMin ? '>' : '≥'} ${f.min}`
  if (f.min === null) return `${f.exclusiveMax ? '<' : '≤'} ${f.max}`
  return `${f.exclusiveMin ? '(' : '['}${f.min}, ${f.max}${f.exclusiveMax ? ')' : ']'}`
}
