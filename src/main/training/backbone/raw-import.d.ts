// Vite (vitest and electron-vite alike) inlines `?raw` imports as the file's text at build time.
declare module '*.cjs?raw' {
  const text: string
  export default text
}
