// The browser tests' page: our real renderer and styles without a JupyterLab server around them.
import '../page/theme.css';
import '../style/index.css';
import { Widget } from '@lumino/widgets';
import { CharrnnRenderer } from '../lib/renderer';

window.charrnn = {
  /** Renders a bundle's data (as JupyterLab would hand it over) for `kind` into `host`; resolves to the renderer. */
  async render(host, kind, data, link = null) {
    const renderer = new CharrnnRenderer(kind, link);
    Widget.attach(renderer, host);
    await renderer.renderModel(mimeModel(data));
    return renderer;
  },
  /** A later update_display_data for the same output. */
  update(renderer, data) {
    return renderer.renderModel(mimeModel(data));
  },
};

function mimeModel(data) {
  return { data, metadata: {}, trusted: false, setData() {} };
}
