// Bundles the test page (entry.js) for tests/widgets.test.mjs: plain webpack, no module federation.
const path = require('node:path');

module.exports = {
  mode: 'development',
  devtool: false,
  entry: path.join(__dirname, 'entry.js'),
  output: { path: path.join(__dirname, 'build'), filename: 'page.js', publicPath: 'auto', clean: true },
  module: {
    noParse: /plotly-basic\.min\.js$/,
    rules: [{ test: /\.css$/, use: ['style-loader', 'css-loader'] }],
  },
};
