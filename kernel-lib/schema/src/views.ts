/**
 * The JSON of every charrnn MIME type, documented in one place.
 *
 * Each output is a bundle with our MIME type `application/vnd.charrnn.<kind>+json` whose JSON is one of the
 * `*View` interfaces below, plus fallbacks for front ends without our extension. The library (@charrnn/kernel)
 * builds these views and the JupyterLab extension renders them, both from this file, so the two sides cannot drift.
 * Every view carries `version` (VIEW_VERSIONS); bump it (and the renderer) when a field changes meaning. Comm
 * messages between a widget and the kernel are defined here too.
 *
 * Conventions: T = number of characters, H = hidden size, k = number of top guesses, L = number of layers.
 * Losses are mean cross-entropy in nats per character. Characters are whole Unicode code points (one string each).
 */

/** The recurrent cells a model can have, LSTM (char-rnn's default) first. */
export const CELL_TYPES = ['lstm', 'gru', 'rnn'] as const;
export type CellType = (typeof CELL_TYPES)[number];

/** The kinds of output we render, one MIME type each. */
export type ViewKind = 'training' | 'sampler' | 'activations' | 'neurons' | 'saturation' | 'ngram';

/** `application/vnd.charrnn.<kind>+json` for a kind. */
export type MimeType<K extends ViewKind = ViewKind> = `application/vnd.charrnn.${K}+json`;

/** Schema version of each view; a renderer shows a clear message for a version it does not know. */
export const VIEW_VERSIONS = {
  training: 1,
  sampler: 1,
  activations: 1,
  neurons: 1,
  saturation: 1,
  ngram: 1,
} as const satisfies Record<ViewKind, number>;

/** The MIME type string of a kind. */
export function mimeType<K extends ViewKind>(kind: K): MimeType<K> {
  return `application/vnd.charrnn.${kind}+json`;
}

/** Plain settings shown as a key/value table (model and training config, flattened). */
export type PlainConfig = Record<string, string | number | boolean | null>;

// ---------------------------------------------------------------------------------------------------------------
// training: the live dashboard of one training run (updated in place through its display id)

/** How a training run stands: running, or how it ended. */
export type TrainingStatus = 'running' | 'done' | 'stopped' | 'interrupted' | 'diverged';

/** One logged step of training. */
export interface TrainingPoint {
  /** Iteration (optimizer step) number, 1-based. */
  iter: number;
  /** Fractional epoch: characters seen / training characters. */
  epoch: number;
  /** Training loss of this step's batch. */
  trainLoss: number;
  /** Validation loss, present only at the steps where it was evaluated. */
  valLoss?: number;
  /** Learning rate used at this step. */
  lr: number;
  /** Training throughput, characters per second, averaged over the last logging interval. */
  charsPerSec: number;
  /** Wall-clock seconds since training started. */
  elapsedS: number;
}

/** A sample taken during training (the seed's "evolution of samples while training"). */
export interface TrainingSample {
  /** Iteration after which the sample was drawn. */
  iter: number;
  /** The sampled text (rendered as text, never HTML). */
  text: string;
  temperature: number;
}

export interface TrainingView {
  version: typeof VIEW_VERSIONS.training;
  /** Stable id of the run; also the display id the kernel updates. */
  runId: string;
  /** Comm target name that accepts {@link TrainingCommand}; absent once the run has ended or offline. */
  commTarget?: string;
  /** Model and training settings, e.g. { cell: 'lstm', hiddenSize: 128, seqLength: 50, batchSize: 32, ... }. */
  config: PlainConfig;
  /** Iterations planned in total (for progress and ETA). */
  totalIters: number;
  /** The engine and what it runs on, as its line names it: "WebGPU engine on nvidia hopper (NVIDIA H200)". */
  engine?: string;
  status: TrainingStatus;
  /** Logged steps in iteration order. Builders may thin old points to keep the JSON small. */
  points: TrainingPoint[];
  /** Samples in iteration order. */
  samples: TrainingSample[];
  /** One line for the user, e.g. why training stopped or diverged. */
  message?: string;
}

/**
 * Widget -> kernel on the training comm: `stop` ends training cleanly after the current step; `sync` asks for the run
 * as it stands (a front end that lost its connection may have missed the kernel's last updates), answered with a
 * {@link TrainingSync}.
 */
export interface TrainingCommand {
  action: 'stop' | 'sync';
}

/** Kernel -> widget on the training comm: the run's current view, the answer to `sync`. */
export interface TrainingSync {
  view: TrainingView;
}

// ---------------------------------------------------------------------------------------------------------------
// sampler: interactive sampling; a grid of recorded samples keeps working without a kernel

/** Settings of one sample request. */
export interface SampleSettings {
  /** Text fed to the model before sampling; it starts the output. */
  prime: string;
  /** Number of characters to generate after the prime. */
  length: number;
  /** Softmax temperature, above 0; 0.05 to 2 in the widget (lower = more conservative). */
  temperature: number;
  /** Seed of the sampler's random generator (same settings + seed = same text). */
  seed: number;
  /** Sample only among the k most likely characters; 0 = no limit. */
  topK: number;
  /** Beam search keeping this many continuations (the best is the sample); 0 or absent = draw at random. */
  beam?: number;
}

/** The ranges the sampler accepts (the widget's inputs and the kernel's checks use the same numbers). */
/**
 * Where every sampler starts: the library's sample() and beam search, `charrnn sample` (but its length, char-rnn's
 * 2000), the sampler widget, the exported page and the samples a training run prints.
 */
export const DEFAULT_SAMPLING = Object.freeze({
  prime: '',
  length: 200,
  temperature: 1,
  seed: 1,
  topK: 0,
  beam: 0,
} satisfies SampleSettings);

export const SAMPLER_LIMITS = {
  length: { min: 1, max: 10_000 },
  beam: { min: 0, max: 32 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  temperature: { min: 0.05, max: 2 },
} as const;

export interface RecordedSample {
  temperature: number;
  /** The generated text including the prime. */
  text: string;
}

export interface SamplerView {
  version: typeof VIEW_VERSIONS.sampler;
  /** Comm target name that accepts {@link SamplerRequest}; absent offline. */
  commTarget?: string;
  /** Model settings shown beside the sampler. */
  config: PlainConfig;
  /** Settings the widget starts with (and that produced `grid`, apart from temperature). */
  defaults: SampleSettings;
  /** Samples recorded at display time for a grid of temperatures, ascending. */
  grid: RecordedSample[];
}

/** Widget -> kernel: draw a new sample; the kernel answers with {@link SamplerReply} messages. */
export interface SamplerRequest extends SampleSettings {
  action: 'sample';
  /** Chosen by the widget; replies carry it so stale streams can be dropped. */
  requestId: number;
  /** Leave out prime characters that are not in the vocabulary instead of answering with an error. */
  dropUnknown?: boolean;
}

/** Kernel -> widget: a piece of a sample being streamed, or an error. */
export interface SamplerReply {
  requestId: number;
  /** Characters to append to what this request has produced so far (the first chunk starts with the prime). */
  chunk: string;
  /** True on the last message of this request. */
  done: boolean;
  /** One-line user error (e.g. a prime character not in the vocabulary); `done` is then true. */
  error?: string;
  /** With beam search, on the last message: every continuation kept, best first (the streamed text is the best). */
  beams?: { text: string; logProb: number }[];
}

// ---------------------------------------------------------------------------------------------------------------
// activations: text coloured by one cell's activation, with the model's top guesses under each character

/**
 * A [rows, cols] matrix of values in [-1, 1] quantised to int8 (value = byte / 127), row-major, base64.
 * Built with @charrnn/kernel's `encodeInt8`.
 */
export interface Int8Matrix {
  shape: [number, number];
  /** base64 of rows * cols signed bytes. */
  int8: string;
}

export interface ActivationLayer {
  /** 0-based layer index. */
  layer: number;
  /** Hidden state h after each character: [T, H]. */
  h: Int8Matrix;
  /** LSTM cell state c after each character, squashed with tanh into [-1, 1]: [T, H]. Absent for rnn/gru. */
  c?: Int8Matrix;
  /**
   * The hidden units h and c hold, in column order ([T, units.length]), when not all H: a saved bundle keeps only
   * the cells its view shows (the rest comes from the live kernel). Absent = every unit, column i = unit i.
   */
  units?: number[];
}

/** The model's top-k guesses for the character after each position. */
export interface Predictions {
  k: number;
  /** [T, k] row-major, most likely first. */
  chars: string[];
  /** [T, k] row-major probabilities, rounded to 3 decimals. */
  probs: number[];
  /** Probability the model gave to the character that actually came next: [T - 1]. */
  actual?: number[];
}

export interface ActivationsView {
  version: typeof VIEW_VERSIONS.activations;
  /** Comm target name that accepts {@link ProbeRequest}; absent offline. */
  commTarget?: string;
  cell: CellType;
  hiddenSize: number;
  /** The input text as code points: [T]. */
  text: string[];
  /** One entry per layer, bottom first: [L]. */
  layers: ActivationLayer[];
  predictions: Predictions;
  /** Initial selection of the picker. */
  selected?: NeuronRef;
  /**
   * Characters of the text the live kernel searches for "where else does this cell fire?" ({@link WhereElseRequest},
   * e.g. the validation split); absent when the explorer was given none.
   */
  whereElseChars?: number;
}

/** Which cell the explorer colours the text by. */
export interface NeuronRef {
  layer: number;
  /** 'h' = hidden state, 'c' = LSTM cell state. */
  kind: 'h' | 'c';
  index: number;
}

/** Widget -> kernel: run the model over the user's own text. */
export interface ProbeRequest {
  action: 'probe';
  requestId: number;
  text: string;
}

/** Kernel -> widget: the activations of a probe, or a one-line user error. */
export interface ProbeReply {
  requestId: number;
  view?: ActivationsView;
  error?: string;
}

/**
 * Widget -> kernel: rank the cells by how well they follow a selection of the explorer's text (on inside chars
 * start..end-1, off elsewhere), scored by |point-biserial correlation| over the whole text.
 */
export interface SearchRequest {
  action: 'search';
  requestId: number;
  /** The text the explorer shows (the kernel runs the model over it again if it is not the one it has). */
  text: string;
  start: number;
  end: number;
  /** Cells returned, best first (default 20). */
  top?: number;
}

/** Kernel -> widget: the best cells for a selection, or a one-line user error. */
export interface SearchReply {
  requestId: number;
  /** What was searched, e.g. 'selection "http" (chars 10 to 13)'. */
  feature?: string;
  /** One line saying how the score is computed. */
  metric?: string;
  ranked?: NeuronScore[];
  error?: string;
}

/** Widget -> kernel: where else does this cell fire? Its top peaks in the explorer's whereElse text. */
export interface WhereElseRequest {
  action: 'whereElse';
  requestId: number;
  cell: NeuronRef;
  /** Passages returned (default 5). */
  top?: number;
}

/** One place where a cell fires: `chars` around the peak at `peak`, the first at `start`, with the cell's values. */
export interface PassageView {
  peak: number;
  value: number;
  start: number;
  chars: string[];
  /** The cell's value at each char (h, or tanh of c), rounded to 3 decimals. */
  values: number[];
}

/** Kernel -> widget: the cell's top passages, best first, or a one-line user error. */
export interface WhereElseReply {
  requestId: number;
  /** Characters searched. */
  searched?: number;
  passages?: PassageView[];
  error?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// neurons: cells ranked by how well they track a per-character feature

export interface NeuronScore extends NeuronRef {
  /** The ranking score, higher = tracks the feature better (|correlation|; tables show it as the correlation's bar). */
  score: number;
  /** Pearson correlation of the activation with the feature over the text (signed). */
  correlation: number;
  /** Mean activation where the feature is on. */
  meanOn: number;
  /** Mean activation where the feature is off. */
  meanOff: number;
}

/** A column of a table of {@link NeuronScore}s: its header and what it means, for the people reading it. */
export interface NeuronColumn {
  label: string;
  help: string;
}

/**
 * The columns of a table of NeuronScores, best first, with their meaning (the widget's column tooltips, the
 * fallbacks' key); `selection` words them for the cells that follow a selection of text instead of a feature.
 */
export function neuronColumns(selection = false): NeuronColumn[] {
  const what = selection ? 'the selection (1 inside, 0 outside)' : 'the feature';
  return [
    {
      label: 'rank',
      help: `1 = the cell that follows ${selection ? 'the selection' : 'the feature'} best (the largest |correlation|)`,
    },
    { label: 'layer', help: '0 = the layer that reads the characters; the last one feeds the prediction' },
    {
      label: 'state',
      help: 'h = the hidden state, what the layer passes on; c = the LSTM cell state, its memory (shown as tanh of c)',
    },
    { label: 'unit', help: "which of the layer's cells" },
    {
      label: 'correlation',
      help: `of the cell with ${what} over the text, -1 to 1, its size drawn as the bar: + the cell goes up where it is on, - it goes down`,
    },
    selection
      ? { label: 'mean inside', help: "the cell's mean value inside the selection" }
      : { label: 'mean on', help: "the cell's mean value where the feature is on (not 0)" },
    selection
      ? { label: 'mean outside', help: "the cell's mean value outside the selection" }
      : { label: 'mean off', help: "the cell's mean value where the feature is off (0)" },
  ];
}

export interface NeuronsView {
  version: typeof VIEW_VERSIONS.neurons;
  /** Feature name, e.g. 'inside quotes', 'position in line', 'bracket depth', or a user-given name. */
  feature: string;
  /** One line saying how the score is computed. */
  metric: string;
  /** Best first. */
  ranked: NeuronScore[];
  /**
   * Why no cell could be scored, when none could (every score 0), e.g. the feature is the same on every character of
   * the text; shown in place of the rows.
   */
  unscored?: string;
  /** The text the search ran on (or a slice of it), so a click can open a cell in the explorer offline. */
  activations?: ActivationsView;
  /** The feature's value per character of `activations.text`: [T]. */
  featureValues?: number[];
}

// ---------------------------------------------------------------------------------------------------------------
// saturation: fraction of time each gate unit is left- or right-saturated (Karpathy, Johnson, Fei-Fei 2015)

export interface GateSaturation {
  /** Gate name, e.g. 'input', 'forget', 'output', 'cell' (LSTM); 'update', 'reset', 'candidate' (GRU); 'tanh' (RNN). */
  gate: string;
  /** Per unit: fraction of characters with the gate below `thresholds.left`: [H]. */
  left: number[];
  /** Per unit: fraction of characters with the gate above `thresholds.right`: [H]. */
  right: number[];
}

export interface SaturationView {
  version: typeof VIEW_VERSIONS.saturation;
  cell: CellType;
  /** Saturation thresholds on the gate's output, e.g. { left: 0.1, right: 0.9 } for sigmoids. */
  thresholds: { left: number; right: number };
  /** Number of characters the fractions were measured over. */
  chars: number;
  layers: { layer: number; gates: GateSaturation[] }[];
}

// ---------------------------------------------------------------------------------------------------------------
// ngram: n-gram baselines vs RNN models, losses on the same held-out text

export interface NgramView {
  version: typeof VIEW_VERSIONS.ngram;
  /** Which data the losses are measured on, e.g. 'tinyshakespeare val'. */
  dataset: string;
  /** Smoothed n-gram loss per order (context length = order - 1). */
  ngram: { order: number; loss: number }[];
  /** RNN losses on the same data, e.g. { label: 'lstm 2x128', loss: 1.52 }. */
  rnn: { label: string; loss: number; params?: number }[];
}

/** The view type of each kind. */
export interface Views {
  training: TrainingView;
  sampler: SamplerView;
  activations: ActivationsView;
  neurons: NeuronsView;
  saturation: SaturationView;
  ngram: NgramView;
}
