/** Claims about batch size and LR, evaluated on a sweep's runs into verdicts. */
export * from './types.ts';
export * from './metric.ts';
export * from './select.ts';
export * from './decide.ts';
export * from './evaluate.ts';
