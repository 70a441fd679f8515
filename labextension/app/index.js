// Starts JupyterLab: the core extensions of release 4.6.4 (listed in build/gen/extensions.js, generated
// from @jupyterlab/core-meta by webpack.config.js) plus the federated extensions loaded by bootstrap.js.

import { JupyterLab } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import { extensions, mimeExtensions } from './build/gen/extensions.js';

import './build/gen/style.js';

/** The plugins of one extension module that the page config does not disable. */
function plugins(module, disabled) {
  const exported = Object.prototype.hasOwnProperty.call(module, '__esModule') ? module.default : module;
  const all = Array.isArray(exported) ? exported : [exported];
  return all.filter((plugin) => {
    if (PageConfig.Extension.isDisabled(plugin.id)) {
      disabled.push(plugin.id);
      return false;
    }
    return true;
  });
}

async function federatedModule(scope, module) {
  const factory = await window._JUPYTERLAB[scope].get(module);
  return factory();
}

/** Loads every extension module, logging (not failing on) the ones that break. */
async function load(imports) {
  const results = await Promise.allSettled(imports.map((get) => get()));
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : (console.error(r.reason), [])));
}

export async function main(federated) {
  const disabled = [];
  // A federated package replaces the core package of the same name.
  const replaced = new Set(federated.map((ext) => ext.name));
  const core = (table) =>
    Object.entries(table)
      .filter(([name]) => !replaced.has(name))
      .map(([, get]) => get);
  const fromFederated = (key) =>
    federated.filter((ext) => ext[key]).map((ext) => () => federatedModule(ext.name, ext[key]));

  const mimeModules = await load([...core(mimeExtensions), ...fromFederated('mimeExtension')]);
  const pluginModules = await load([...core(extensions), ...fromFederated('extension')]);
  await load(fromFederated('style'));

  const lab = new JupyterLab({
    mimeExtensions: mimeModules.flatMap((m) => plugins(m, disabled)),
    disabled: { matches: disabled, patterns: PageConfig.Extension.disabled.map((d) => d.raw) },
    deferred: { matches: [], patterns: PageConfig.Extension.deferred.map((d) => d.raw) },
  });
  lab.registerPlugins(pluginModules.flatMap((m) => plugins(m, disabled)));
  await lab.start();
  await lab.restored;
  document.body.dataset.charrnnLab = 'ready';
}
