/** Judging a finished run and naming the split a figure was measured on (shown beside every figure). */

/**
 * Whether a finished run learned, judged from its epochs and final evaluation when it ends
 * (src/main/training/quality/learning-verdict.ts). Accuracies in [0, 1].
 */
export interface LearningVerdict {
  /**
   * 'did-not-learn': the judged accuracy is within a few points of chance; 'overfit': it is far below training
   * accuracy; 'learned': neither; 'unknown': no validation or test figures to judge.
   */
  kind: 'learned' | 'did-not-learn' | 'overfit' | 'unknown'
  /** The split `accuracy` was measured on (the final evaluation's split, else validation). */
  split: 'test' | 'val' | null
  accuracy: number | null
  /** Accuracy of always guessing: max(1/K, the majority class's share of that split). */
  chance: number
  /** Training accuracy of the saved (best-validation) epoch, measured with augmentation and dropout on. */
  trainAccuracy: number | null
  /** One line for tables and the CLI, e.g. 'did not learn: validation accuracy 33.3 % is within … of chance'. */
  summary: string
  /** The likely cause and what to try, in words; '' when the run learned. */
  cause: string
}

/** True for a verdict that must be shown as a warning and confirmed before the model is used. */
export const isFlaggedVerdict = (v: LearningVerdict | null | undefined): boolean =>
  v?.kind === 'did-not-learn' || v?.kind === 'overfit'

/** The split's name as shown next to a figure. */
export const splitLabel = (split: 'train' | 'val' | 'test'): string =>
  split === 'val' ? 'validation' : split === 'test' ? 'test' : 'training'
