export * from './config'
export * from './build-head'
export * from './compose-model'
export * from './freeze'
