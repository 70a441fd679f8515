// Entry point of the JupyterLab application bundle. Before any JupyterLab code runs, it loads the
// prebuilt (federated) extensions the server lists in the page config, so that webpack's shared-module
// negotiation sees their containers and every singleton package (@jupyterlab/*, @lumino/*) is loaded once.

/* global __webpack_init_sharing__, __webpack_share_scopes__ */

function pageOption(name) {
  const el = document.getElementById('jupyter-config-data');
  const config = el ? JSON.parse(el.textContent || '{}') : {};
  return config[name] || '';
}

// Chunks of this bundle are served from the server's static URL.
// eslint-disable-next-line no-undef
__webpack_public_path__ = pageOption('fullStaticUrl') + '/';

function addScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.onload = resolve;
    script.onerror = () => reject(new Error(`cannot load ${url}`));
    script.async = true;
    script.src = url;
    document.head.appendChild(script);
  });
}

async function loadFederated({ name, load }) {
  await addScript(`${pageOption('fullLabextensionsUrl')}/${name}/${load}`);
  await __webpack_init_sharing__('default');
  await window._JUPYTERLAB[name].init(__webpack_share_scopes__.default);
}

(async () => {
  const federated = pageOption('federated_extensions') || [];
  for (const result of await Promise.allSettled(federated.map(loadFederated))) {
    if (result.status === 'rejected') console.error(result.reason);
  }
  const { main } = await import('./index.js');
  await main(federated);
})();
