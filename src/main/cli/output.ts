import { AppError } from '../../shared/errors'

/** How a command reports: human text on a TTY, or JSON where the last stdout line is the result. */
export interface Output {
  json: boolean
  /** Progress/human lines (stderr when --json so stdout stays machine-readable). */
  info(line: string): void
  /** One JSON object per line (progress events) in --json mode; ignored otherwise. */
  event(obj: unknown): void
  /** The final result: JSON line, or the human rendering. */
  result(obj: unknown, human: (o: never) => string): void
}

export function createOutput(json: boolean): Output {
  return {
    json,
    info: (line) => (json ? process.stderr : process.stdout).write(line + '\n'),
    event: (obj) => {
      if (json) process.stdout.write(JSON.stringify(obj) + '\n')
    },
    result: (obj, human) => process.stdout.write((json ? JSON.stringify(obj) : human(obj as never)) + '\n')
  }
}

/** A usage mistake: exit code 1 with the message. */
export class UsageError extends AppError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message, 'UsageError')
  }
}
