import pkg from '../../package.json'

/** Product identity, from package.json so the CLI, the window title and the reports agree. */
export const PRODUCT_NAME = 'NeuroPath Workstation'
export const APP_VERSION: string = pkg.version
