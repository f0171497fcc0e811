import crypto from 'node:crypto'

/** A random access token for the browser mode (128 bits, URL-safe). */
export function newAccessToken(): string {
  return crypto.randomBytes(16).toString('base64url')
}

/** Constant-time comparison so the token cannot be guessed byte by byte from response timing. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && crypto.timingSafeEqual(a, b)
}

/** Reads one cookie from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return v.join('=')
  }
  return null
}
