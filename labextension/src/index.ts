/**
 * The charrnn JupyterLab extension: renders application/vnd.charrnn.<kind>+json outputs as widgets.
 * Renderers registered globally work anywhere (no kernel); each notebook also gets renderers bound to its own
 * session, so its widgets can open comms to the kernel (stop training, live sampling, probing).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { VIEW_VERSIONS, type ViewKind } from '@charrnn/schema';
import { sessionLink } from './comm';
import { rendererFactory } from './renderer';

const KINDS = Object.keys(VIEW_VERSIONS) as ViewKind[];

const plugin: JupyterFrontEndPlugin<void> = {
  id: '@charrnn/labextension:renderers',
  description: 'Widgets for charrnn outputs: training dashboard, sampler, activation explorer and charts.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, rendermime: IRenderMimeRegistry, notebooks: INotebookTracker | null) => {
    for (const kind of KINDS) rendermime.addFactory(rendererFactory(kind, null), 0);
    notebooks?.widgetAdded.connect((_tracker, panel) => {
      const link = sessionLink(panel.sessionContext);
      for (const kind of KINDS) panel.content.rendermime.addFactory(rendererFactory(kind, link), 0);
    });
  },
};

export default plugin;
