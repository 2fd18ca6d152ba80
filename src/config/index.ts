export * from './annotations.ts';
export * from './config.ts';
export * from './errors.ts';
export * from './exceptions.ts';
export * from './exclude.ts';
export * from './expired-control.ts';
export * from './load.ts';
export * from './overrides.ts';
export { MAX_CONFIG_BYTES, parseConfig } from './parse.ts';
