import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'crypto',
  'http',
  'net',
  'url',
  'util',
  'zlib',
  'stream'
]
const nodeAndElectron = (where) => ({
  patterns: [
    { group: NODE_BUILTINS, message: `${where} must not import Node modules` },
    {
      group: ['electron', 'better-sqlite3', 'sharp', '@tensorflow/*', 'ws'],
      message: `${where} must not import Electron or native/main-process packages`
    },
    { group: ['**/main/**', '**/preload/**'], message: `${where} must not import main-process or preload code` }
  ]
})

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.tmp/**', 'coverage/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }
      ]
    }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } }
  },
  // Layering: the contract is pure TypeScript (no Node, Electron or DOM); the renderer has no Node or Electron.
  {
    files: ['src/shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', nodeAndElectron('src/shared')],
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'navigator',
        'location',
        'process',
        'Buffer',
        'require',
        '__dirname'
      ]
    }
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', nodeAndElectron('src/renderer')] }
  },
  // Core services stay plain Node so the CLI, browser mode and tests can use them: only electron/ may import Electron.
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'only src/main/electron/** may import Electron (core services are plain Node)',
              allowTypeImports: true
            }
          ]
        }
      ]
    }
  }
)
