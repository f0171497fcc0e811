import fs from 'node:fs/promises'
import { AppError } from '../../shared/errors'
import { openError } from './open-error'

/**
 * Checks that a user-given path is a folder (symlinks followed). `what` names it in the message, e.g.
 * 'patient folder'.
 * @throws AppError NOT_FOUND or IO when it cannot be opened (see openError), INVALID_ARGUMENT when it is not a folder.
 */
export async function requireFolder(dir: string, what: string): Promise<void> {
  let st
  try {
    st = await fs.stat(dir)
  } catch (err) {
    throw openError(dir, err, what)
  }
  if (!st.isDirectory()) throw new AppError('INVALID_ARGUMENT', `${what} ${dir} is not a folder`)
}
