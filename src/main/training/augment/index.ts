export * from './config'
export * from './affine'
export * from './augment-batch'
