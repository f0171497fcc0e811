import type { ImportedEncoder, OnnxEncoderCheck, OnnxEncoderDeclaration } from '../../../shared/contract/onnx-encoder'
import { api } from '../lib/api'
import { declarationToDraft, DEFAULT_DRAFT, draftToDeclaration, type DeclarationDraft } from './encoder-draft'
import { trainingForm, type TrainingForm } from './training-form.svelte'

/**
 * The "ONNX encoder (file)" part of the backbone picker: the encoders imported into the workspace, a file to
 * import, the declaration being edited, and the last "Check" (run in an engine process by the backend, which
 * also imports a usable file into models/backbones/<sha256>/). A checked or chosen encoder becomes the form's
 * backbone with its resolved declaration.
 */
export class EncoderPicker {
  encoders = $state.raw<ImportedEncoder[]>([])
  /** A .onnx file outside the workspace to check and import. */
  file = $state('')
  draft = $state.raw<DeclarationDraft>(DEFAULT_DRAFT)
  check = $state.raw<OnnxEncoderCheck | null>(null)
  checking = $state(false)
  error = $state<string | null>(null)
  listError = $state<string | null>(null)
  /** The declaration the draft was last filled from (a check or a chosen encoder); edits after it need a Check. */
  private appliedDraft = $state.raw<DeclarationDraft | null>(null)

  readonly draftChanged: boolean = $derived(
    this.appliedDraft !== null && JSON.stringify(this.appliedDraft) !== JSON.stringify(this.draft)
  )

  constructor(private readonly form: TrainingForm) {}

  async load(): Promise<void> {
    try {
      this.encoders = await api.training.listEncoders({})
      this.listError = null
    } catch (err) {
      this.listError = (err as Error).message
    }
  }

  /** Uses an imported encoder: the form's backbone becomes it, the draft shows its declaration. */
  choose(sha256: string): void {
    const e = this.encoders.find((x) => x.sha256 === sha256)
    if (!e) return
    this.file = ''
    this.check = null
    this.error = null
    this.use(e.sha256, e.declaration)
  }

  setDraft(patch: Partial<DeclarationDraft>): void {
    this.draft = { ...this.draft, ...patch }
  }

  /**
   * "Check": the file typed in, or else the chosen imported encoder (with the edited declaration). A usable
   * encoder is imported and chosen; a degenerate one is reported and not used.
   */
  async runCheck(chosen: string | undefined): Promise<void> {
    const path = this.file.trim() || this.encoders.find((e) => e.sha256 === chosen)?.path
    if (!path) {
      this.error = 'Give a .onnx file to import, or choose an imported encoder'
      return
    }
    this.checking = true
    this.error = null
    this.check = null
    try {
      const check = await api.training.checkEncoder({ path, declaration: draftToDeclaration(this.draft) })
      this.check = check
      if (check.importedPath) {
        await this.load()
        this.file = ''
        this.use(check.sha256, check.declaration)
      } else this.draft = declarationToDraft(check.declaration)
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.checking = false
    }
  }

  private use(sha256: string, declaration: OnnxEncoderDeclaration): void {
    this.draft = declarationToDraft(declaration)
    this.appliedDraft = this.draft
    this.form.useEncoder(sha256, declaration)
  }
}

/** The session's one picker, bound to the session's training form. */
export const encoderPicker = new EncoderPicker(trainingForm)
