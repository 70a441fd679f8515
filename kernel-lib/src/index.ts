/** @charrnn/kernel: the one public entry point. */
export { CharRNNError } from './errors';
export { Rng } from './rng';
export { initBackend, backendInfo } from './backend';
export type { BackendChoice, BackendInfo } from './backend';
export type { CellType, ModelConfig } from './model/config';
export { GATES } from './model/config';
export type { MimeBundle, Displayable } from './display/bundle';
export * from './display/schema';
export { Vocab } from './text/vocab';
export type { CharIds } from './text/vocab';
export { loadCorpus, corpusFromText, splitCorpus, defaultCacheDir } from './text/corpus';
export type { Corpus, Splits, LoadOptions } from './text/corpus';
export { Batches } from './text/batches';
export { display } from './display/display';
export type { DisplayHandle } from './display/display';
export { registerCommTarget } from './display/comm';
export type { Comm } from './display/comm';
export { interruptRequested, requestInterrupt } from './kernel/interrupt';
