// Driving a notebook in JupyterLab from playwright, as a user does: wait for its kernel, run a cell.
import assert from 'node:assert/strict';

/** The notebook panel in front. */
export const NB = '.jp-NotebookPanel:not(.lm-mod-hidden)';

/**
 * Waits until the notebook runs our kernel and it is idle. When the kernel list was not ready as the notebook opened
 * (another server can be rewriting the project's kernelspec at that moment), JupyterLab asks which kernel to use:
 * the test picks ours, as a user would.
 */
export async function kernelReady(page) {
  for (let i = 0; i < 240; i++) {
    const dialog = page.locator('.jp-Dialog');
    if (await dialog.count()) {
      assert.match(await dialog.textContent(), /Select Kernel/);
      await page.selectOption('.jp-Dialog select', { label: 'charrnn (TypeScript)' });
      await page.click('.jp-Dialog .jp-mod-accept');
    }
    const ready = await page.evaluate(
      (nb) =>
        /charrnn/.test(document.querySelector(`${nb} .jp-Toolbar-kernelName`)?.textContent ?? '') &&
        document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status') === 'idle',
      NB,
    );
    if (ready) return;
    await page.waitForTimeout(500);
  }
  throw new Error('the notebook never got an idle charrnn kernel');
}

/**
 * Runs the i-th cell from the notebook UI (select it, Shift+Enter) and waits until the kernel has taken it (its
 * prompt shows [*] or a number); a kernel that has just started may miss the first try, so it tries again after
 * `wait` ms (on a loaded machine, give it longer: a second try that lands runs the cell twice).
 */
export async function runCell(page, i, { wait = 10_000 } = {}) {
  const prompt = page.locator(`${NB} .jp-Cell >> nth=${i}`).locator('.jp-InputArea-prompt');
  for (let attempt = 0; attempt < 5; attempt++) {
    const dialog = page.locator('.jp-Dialog');
    if (await dialog.count())
      throw new Error(`a JupyterLab dialog is in the way: ${await dialog.first().textContent()}`);
    await page.click(`${NB} .jp-Cell >> nth=${i}`);
    await page.keyboard.press('Shift+Enter');
    try {
      await page.waitForFunction((el) => /\[(\*|\d+)\]/.test(el.textContent), await prompt.elementHandle(), {
        timeout: wait,
      });
      return;
    } catch {
      // not taken yet: try again
    }
  }
  throw new Error(`cell ${i} did not run`);
}
