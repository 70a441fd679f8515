/**
 * @charrnn/schema: what the library (@charrnn/kernel) and the JupyterLab extension (@charrnn/labextension) share,
 * as @jupyterlab/rendermime-interfaces serves JupyterLab: the JSON of every charrnn MIME type with its version,
 * the colour scales, and the neuron search over a selection (correlation.ts) that the explorer runs on saved outputs.
 * No dependencies, so the extension imports it without the library's Node code.
 */
export * from './views';
export * from './colors';
export * from './correlation';
