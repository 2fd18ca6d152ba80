export * from './area.ts';
export * from './control.ts';
export * from './diagnostic.ts';
export * from './errors.ts';
export * from './finding.ts';
export * from './object.ts';
export * from './path.ts';
export * from './severity.ts';
