/**
 * Offers `content` as a file download named `fileName` (works the same in Electron and in a browser, since the
 * content is already in the page). The object URL is revoked once the download has had time to start.
 */
export function downloadText(content: string, type: string, fileName: string): void {
  const a = document.createElement('a')
  a.href = URL.createObjectURL(new Blob([content], { type }))
  a.download = fileName
  a.click()
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
}
