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
  // Main-process layers, bottom to top (ARCHITECTURE.md): the engine scaffold, the domains, the engine job
  // registry, the services, the shells. A layer imports only layers below it; nothing in src/main imports the
  // renderer; only electron/ imports Electron (core services are plain Node for the CLI, browser mode and tests).
  ...mainLayers()
)

/** Import paths reaching the src/main folders `dirs` from any depth ('../x', '../../x/y', …). */
function dirsPattern(dirs) {
  return `^(\\.\\./)+(${dirs.join('|')})(/|$)`
}

function mainLayers() {
  const shells = ['cli', 'server', 'electron', 'bench']
  const domains = [
    'imaging',
    'datasets',
    'compute',
    'onnx',
    'backbone-runtime',
    'training',
    'inference',
    'evidence',
    'model-export',
    'workspace',
    'media',
    'security',
    'rpc'
  ]
  const layers = [
    {
      name: 'src/main/engine (the engine scaffold)',
      files: ['src/main/engine/**/*.ts'],
      above: [...domains, 'jobs', 'services', ...shells],
      why: 'it sits below the domains: a job kind is declared in its domain and registered in src/main/jobs'
    },
    {
      name: 'the domains',
      files: [`src/main/{${domains.join(',')},catalog,fs}/**/*.ts`, 'src/main/*.ts'],
      above: ['jobs', ...shells],
      // Host-side orchestrators may name the services' context as a type; it erases at build.
      typeOnly: ['services'],
      why: 'domains sit below the engine job registry, the services and the shells'
    },
    {
      name: 'src/main/jobs (the engine job registry)',
      files: ['src/main/jobs/**/*.ts'],
      above: ['services', ...shells],
      why: 'the job registry sits below the services and the shells'
    },
    {
      name: 'src/main/services',
      files: ['src/main/services/**/*.ts'],
      above: shells,
      why: 'services sit below the shells'
    }
  ]
  const electron = {
    name: 'electron',
    message: 'only src/main/electron/** may import Electron (core services are plain Node)',
    allowTypeImports: true
  }
  const renderer = {
    regex: '(^|/)renderer(/|$)',
    message: 'src/main must not import the renderer: code both sides run lives in src/shared'
  }
  const rule = (layer) => [
    'error',
    {
      paths: [electron],
      patterns: [
        renderer,
        {
          regex: dirsPattern(layer.above),
          message: `${layer.name} must not import ${layer.above.join(', ')}: ${layer.why}`
        },
        ...(layer.typeOnly
          ? [
              {
                regex: dirsPattern(layer.typeOnly),
                allowTypeImports: true,
                message: `${layer.name} must not import ${layer.typeOnly.join(', ')} (type imports only): ${layer.why}`
              }
            ]
          : [])
      ]
    }
  ]
  const shellsRule = ['error', { paths: [electron], patterns: [renderer] }]
  return [
    ...layers.map((layer) => ({ files: layer.files, rules: { 'no-restricted-imports': rule(layer) } })),
    {
      files: shells.filter((d) => d !== 'electron').map((d) => `src/main/${d}/**/*.ts`),
      rules: { 'no-restricted-imports': shellsRule }
    },
    { files: ['src/main/electron/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [renderer] }] } }
  ]
}
