/**
 * @charrnn/schema: what the library (@charrnn/kernel) and the JupyterLab extension (@charrnn/labextension) share,
 * as @jupyterlab/rendermime-interfaces serves JupyterLab: the JSON of every charrnn MIME type with its version, and
 * the colour scales. No dependencies, so the extension imports it without the library's Node code.
 */
export * from './views';
export * from './colors';
export * from './correlation';
