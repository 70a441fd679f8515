// Bundles the exported model page's script (src/page.ts, compiled to lib/page.js) with TF.js, the library's
// sampler and explorer code, our widgets and their styles into one file, kernel-lib/dist/page/bundle.js, that
// `charrnn export-page` inlines into each page. Plain webpack, no module federation; tests/setup.js runs it.
//
// The library is written for Node; in the page it runs only the TF.js engine on the cpu backend, so the Node-only
// modules are swapped for the page's own: the engine choice (native addon, WebGPU), node:crypto's randomBytes
// (comm target names) and Buffer (base64 of the explorer's views); wabt is left out.
const path = require('node:path');
// webpack's own minifier, from webpack's dependencies.
const TerserPlugin = require(require.resolve('terser-webpack-plugin', { paths: [require.resolve('webpack')] }));
const webpack = require('webpack');

const here = __dirname;

module.exports = {
  mode: 'production',
  devtool: false,
  entry: ['theme.css', 'page.css', '../style/index.css', '../lib/page.js'].map((file) => path.join(here, file)),
  output: { path: path.resolve(here, '..', '..', 'kernel-lib', 'dist', 'page'), filename: 'bundle.js' },
  // One notice naming what is bundled and its licence, instead of a licence header per TF.js module (300 KB).
  optimization: {
    minimizer: [
      new TerserPlugin({ extractComments: false, terserOptions: { format: { comments: /charrnn page script/ } } }),
    ],
  },
  performance: { hints: false },
  module: {
    rules: [{ test: /\.css$/, use: ['style-loader', 'css-loader'] }],
  },
  resolve: { fallback: { v8: false } },
  plugins: [
    new webpack.NormalModuleReplacementPlugin(/^node:crypto$/, path.join(here, 'node-shims.js')),
    new webpack.NormalModuleReplacementPlugin(/^node:v8$/, 'v8'),
    new webpack.NormalModuleReplacementPlugin(/[\\/]engine[\\/]choose(\.js)?$/, path.join(here, 'engine.js')),
    new webpack.ProvidePlugin({ Buffer: [path.join(here, 'node-shims.js'), 'Buffer'] }),
    // The wasm backend's matrix product compiles WebAssembly text with wabt; the page runs on the cpu backend.
    new webpack.IgnorePlugin({ resourceRegExp: /^wabt$/ }),
    new webpack.BannerPlugin({
      banner:
        'charrnn page script. Bundles @tensorflow/tfjs-core and @tensorflow/tfjs-backend-cpu (Apache-2.0, Google LLC), @lumino/* (BSD-3-Clause, Project Jupyter), @charrnn/kernel and its widgets (MIT).',
    }),
  ],
};
