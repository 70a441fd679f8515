// Merged into @jupyterlab/builder's webpack config: the Plotly bundle is already minified JavaScript with no
// imports, so webpack need not parse it.
module.exports = {
  module: { noParse: /plotly-basic\.min\.js$/ },
};
