/**
 * @charrnn/kernel: the public entry point (browser.ts, `@charrnn/kernel/browser`, is the part of it a web page can run:
 * the exported model page bundles it). Where to start reading, by folder (kernel-lib/src):
 *   model/     the cells (rnn.ts, lstm.ts, gru.ts: forward and step, shapes [B, H]) and charrnn.ts, the stack
 *   engine/    what runs the maths: contract.ts (what an engine is), choose.ts (the one chooser), start.ts
 *              (initBackend), loss, dropout and the optimizers every engine matches; one folder per engine:
 *              tfjs/ (TF.js ops, fused wasm kernels, worker threads), native/ (BLAS addon), webgpu/ (WGSL)
 *   train/     trainer.ts (the loop: step, validate, report, sample, stop), options, checkpoints, evaluation
 *   sample/    sampler.ts (drawing, beam search) and panel.ts (the widget's kernel side)
 *   text/ data/   vocabularies, corpora and batches; the datasets mirror, downloads and their recipes
 *   inspect/   activations (trace.ts), neuron search, saturation, novelty, mistakes, n-gram baselines
 *   display/ kernel/ page/   MIME bundles, the tslab kernel's display and comms, the exported model page
 *   interop/   models that travel: safetensors files under PyTorch's state_dict names (torch.ts), both ways
 *   pretrained/ cli/ bench/  the shipped models, the charrnn command, the benchmarks
 */

// --- Errors and seeds
export { CharRNNError } from './errors';
export { Rng } from './rng';

// --- Model: the cells (one module each, forward and step) and the stacked char-rnn
export type { CellType, ModelConfig } from './model/config';
export { GATES } from './model/config';
export { CharRNN, disposeState } from './model/charrnn';
export type { RNNState, CreateOptions } from './model/charrnn';
export type { Cell, CellState, CellOptions } from './model/cell';
export { RNNCell } from './model/rnn';
export { LSTMCell } from './model/lstm';
export { GRUCell } from './model/gru';

// --- Text: vocabularies, corpora, batches and the datasets mirror
export { Vocab } from './text/vocab';
export type { CharIds } from './text/vocab';
export { loadCorpus, corpusFromText, splitCorpus, defaultCacheDir } from './text/corpus';
export type { Corpus, Splits, LoadOptions } from './text/corpus';
export { Batches } from './text/batches';
export { fetchDataset, datasetOrStandIn, defaultMirror, defaultDataDir, sharedDataDir } from './data/datasets';
export type { FetchOptions, CorpusSource } from './data/datasets';
export { loadManifest, findDataset } from './data/manifest';
export type { DatasetEntry } from './data/manifest';
export { buildLinuxCorpus } from './data/linux';
export { standInCorpus } from './data/standin';
export type { StandInStyle, StandInOptions } from './data/standin';

// --- Training: options, the trainer, checkpoints, evaluation, the pretrained models
export { trainOptions, DEFAULT_TRAIN_OPTIONS } from './train/options';
export type { TrainOptions } from './train/options';
export { Trainer } from './train/trainer';
export type { Progress, TrainCallbacks, TrainResult } from './train/trainer';
export { TrainingRun } from './train/dashboard';
export type { LiveOptions } from './train/dashboard';
export {
  saveCheckpoint,
  loadCheckpoint,
  readCheckpointMeta,
  resolveCheckpointDir,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
} from './train/checkpoint';
export type { Checkpoint, CheckpointMeta, History, SaveInput } from './train/checkpoint';
export { READINGS, evaluate, evaluateAsync } from './train/evaluate';
export type { Evaluation, EvaluateOptions } from './train/evaluate';
export { pretrained } from './pretrained/pretrained';
export { EXPORT_DTYPES, modelFromSafetensors, modelToSafetensors } from './interop/pytorch-file';
export { ONNX_STEPS, modelToOnnx } from './interop/onnx';
export type { OnnxSteps } from './interop/onnx';
export type { ExportDtype, ImportOptions, ImportedModel } from './interop/pytorch-file';
export type { Pretrained, PretrainedSummary, ModelCard } from './pretrained/pretrained';

// --- Sampling: drawing text, beam search, the interactive sampler
export { SamplerPanel } from './sample/panel';
export type { SamplerPanelOptions } from './sample/panel';
export { sample, sampleTexts, sampleTextsAsync, beamSearch, preparePrime } from './sample/sampler';
export type { SampleOptions, Beam } from './sample/sampler';

// --- Engines: initBackend() starts everything, chooseEngine() alone decides what runs; the optimizers
export { initBackend, backendInfo } from './engine/start';
export type { BackendChoice, BackendInfo } from './engine/start';
export { Optimizer, clipGradients, clipLikeCharRnn, DEFAULT_OPTIMIZER } from './engine/optimizer';
export type { OptimizerName, OptimizerConfig, ClipMode } from './engine/optimizer';
export { chooseEngine, chooseSampler, GPU_SAMPLING_STREAMS } from './engine/choose';
export type {
  Engine,
  EngineChoice,
  EngineName,
  LossAndGrads,
  ForwardResult,
  Activations,
  ResidentRun,
  RunOptions,
} from './engine/contract';
export { lossAndGrads } from './engine/tfjs/bptt';
export { lossAndGradsAutodiff } from './engine/tfjs/autodiff';
export { forward, step } from './engine/tfjs/forward';
export type { Batch } from './engine/batch';
export { nativeStatus } from './engine/native/addon';
export type { NativeStatus } from './engine/native/addon';
export {
  nativeLossAndGrads,
  nativeStep,
  nativeForward,
  nativeEngine,
  releaseNativeMemory,
} from './engine/native/engine';
export { nativeApply } from './engine/native/optimizer';

// --- Inspection: activations, neuron search, gate saturation, novelty, errors, n-gram baselines
export { Explorer } from './inspect/explorer';
export type { ExplorerOptions } from './inspect/explorer';
export { inspectText, inspectTextAsync, TextTrace, VIEW_MAX_CHARS, VIEW_MAX_BYTES } from './inspect/trace';
export type { InspectOptions, LayerTrace } from './inspect/trace';
export {
  FEATURES,
  featureValues,
  insideQuotes,
  positionInLine,
  bracketDepth,
  insideComment,
  insideWikiLink,
  insideUrl,
  insideIfBody,
} from './inspect/features';
export type { FeatureFn } from './inspect/features';
export { searchNeurons, interpretableFraction, NeuronSearch } from './inspect/neurons';
export type { CellScore } from './inspect/neurons';
export { searchBySelection, selectionSearch, whereElse, CellPassages } from './inspect/selection';
export type { WhereElseOptions, Passage } from './inspect/selection';
export { gateSaturation, Saturation, GATE_NAMES } from './inspect/saturation';
export { sampleNovelty, Novelty } from './inspect/novelty';
export type { NoveltyCount } from './inspect/novelty';
export { errorAnalysis, ErrorAnalysis, charClass, CHAR_CLASSES } from './inspect/mistakes';
export type { CharClass, ClassErrors } from './inspect/mistakes';
export { NGramModel, MAX_ORDER as NGRAM_MAX_ORDER } from './inspect/ngram';
export type { Loss as NGramLoss } from './inspect/ngram';
export { ngramBaseline, ngramResult, NGramBaseline } from './inspect/baseline';
export type { BaselineOptions, OrderResult } from './inspect/baseline';

// --- Notebook: display(), our MIME bundles and views (@charrnn/schema), comms, interrupts, the exported page
export type { MimeBundle, Displayable } from './display/bundle';
export * from '@charrnn/schema';
export { trainingBundle, thinPoints, MAX_POINTS } from './display/training';
export { samplerBundle } from './display/sampler';
export { activationsBundle, encodeInt8, decodeInt8 } from './display/activations';
export { neuronsBundle } from './display/neurons';
export { saturationBundle } from './display/saturation';
export { ngramBundle } from './display/ngram';
export { rounded } from './display/rounded';
export { display } from './kernel/display';
export type { DisplayHandle } from './kernel/display';
export { registerCommTarget } from './kernel/comm';
export type { Comm } from './kernel/comm';
export { interruptRequested, requestInterrupt } from './kernel/interrupt';
export type { TrainingStatus as TrainStatus } from '@charrnn/schema';
export { exportPage, PAGE_BUDGET_BYTES } from './page/export';
export type { ExportPageOptions, ExportedPage, PageData } from './page/export';
