import { AppError } from '../../shared/errors'

/**
 * The AppError for a file or folder that could not be opened, in words a user reads without knowing errno
 * codes: "no such file or folder: PATH" (NOT_FOUND), "permission denied: PATH", otherwise
 * "cannot open PATH (CODE)" (IO). One wording for every place that opens a user-given path.
 * @param what what the path was meant to be, e.g. 'patient folder', put in front of the message.
 */
export function openError(path: string, err: unknown, what?: string): AppError {
  const code = (err as NodeJS.ErrnoException)?.code
  const pre = what ? `${what}: ` : ''
  if (code === 'ENOENT' || code === 'ENOTDIR') return new AppError('NOT_FOUND', `${pre}no such file or folder: ${path}`)
  if (code === 'EACCES' || code === 'EPERM') return new AppError('IO', `${pre}permission denied: ${path}`)
  return new AppError('IO', `${pre}cannot open ${path} (${code ?? String((err as Error)?.message ?? err)})`)
}
