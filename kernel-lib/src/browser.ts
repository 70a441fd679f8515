/**
 * @charrnn/kernel/browser: the library's entry point for a web page, what runs without Node. The exported model
 * page (labextension/src/page.ts, built by labextension/page/webpack.config.js) is its user: the model and its
 * vocabulary, the TF.js engine's forward pass and step, and the SamplerPanel and Explorer behind the widgets with
 * the comm they talk through. The page's bundle swaps engine/choose.ts for labextension/page/engine.js (TF.js only).
 */
export { CharRNN } from './model/charrnn';
export { Vocab } from './text/vocab';
export { forward, step } from './engine/tfjs/forward';
export { SamplerPanel, checkRequest } from './sample/panel';
export { Explorer } from './inspect/explorer';
export { closeComm, deliverCommMsg, openComm } from './kernel/comm';
export { kernelState } from './kernel/link';
export type { PageData } from './page/export';
