// Training tasks (issue 11 §1): the New Training Task wizard from the command
// palette, text classification → mo/text_classifier_bayes (Preset tab) →
// mo/text_zh_en with a typed ratio of 0.8 → alpha 0.5 (99 refused inline) →
// the local backend → Save draft; Edit the draft (the wizard shows its values)
// → Start: the job tab opens and the job completes with an accuracy chart.
// A server refusal shows in the wizard; Clone saves a new task; the Launcher
// card; transfer training's pre-filled wizard (mo/mnist_cnn); the wizard in
// Chinese (seed 003's 我的算法 / 预置算法 / 公开算法).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { execute, useLab, waitForAttr, waitForLab } from './lib/browser.mjs';
import { openJobTab, showJobsSidebar, waitForJobState, waitForToast, withSnapshot } from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

const WIZARD = '.mo-TaskWizard [data-testid="mo-task-wizard"]';

/** The open wizard on `step` (in `mode`). */
function wizardAt(page, step, mode = 'new') {
  return page.waitForSelector(`${WIZARD}[data-mode="${mode}"][data-step="${step}"]`, { state: 'visible' });
}

async function next(page, step, mode) {
  const button = page.locator(`${WIZARD} [data-testid="mo-task-next"]`);
  assert.equal(await button.isEnabled(), true, 'Next is open');
  await button.click();
  await wizardAt(page, step, mode);
}

async function openFromPalette(page, label) {
  await execute(page, 'apputils:activate-command-palette');
  const input = page.locator('.lm-CommandPalette-input');
  await input.waitFor({ state: 'visible' });
  await input.fill(label);
  const item = page.locator('.lm-CommandPalette-item', {
    has: page.locator('.lm-CommandPalette-itemLabel', { hasText: label })
  });
  await item.first().click();
}

describe('training tasks: the New Training Task wizard', () => {
  const lab = useLab(() => startServer({ name: 'tasks' }));
  let taskId;

  it('walks the wizard from the palette and saves a draft', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'tasks-wizard', async () => {
      await openFromPalette(page, 'New Training Task…');
      await wizardAt(page, 'purpose');
      const nextButton = page.locator(`${WIZARD} [data-testid="mo-task-next"]`);
      assert.equal(await nextButton.isEnabled(), false, 'no purpose chosen yet');
      const purpose = page.locator(`${WIZARD} [data-purpose="text_classification"]`);
      assert.match(await purpose.innerText(), /Text classification/);
      // each purpose says how many algorithms train for it
      await purpose.locator('.mo-TaskCard-count', { hasText: 'algorithms: 1' }).waitFor();
      await purpose.click();
      await next(page, 'algorithm');

      // the tabs with their counts; an empty one says so
      const tab = g => page.locator(`${WIZARD} .mo-TaskTab[data-group="${g}"]`);
      await tab('preset').waitFor();
      assert.equal(await tab('preset').locator('.mo-TaskTab-count').innerText(), '1');
      await tab('mine').click();
      assert.equal(await tab('mine').locator('.mo-TaskTab-count').innerText(), '0');
      assert.match(await page.locator(`${WIZARD} .mo-TaskEmpty`).innerText(), /no algorithm/i);
      await tab('preset').click();
      const card = page.locator(`${WIZARD} .mo-TaskCard[data-module="mo/text_classifier_bayes"]`);
      assert.match(await card.innerText(), /version 1\.0\.0/);
      assert.match(await card.innerText(), /naive-Bayes/);
      // the search box filters the cards
      const search = page.locator(`${WIZARD} .mo-TaskSearch`);
      await search.fill('no such thing');
      await card.waitFor({ state: 'detached' });
      await search.fill('bayes');
      await card.click();
      assert.equal(await card.getAttribute('aria-checked'), 'true');
      await next(page, 'dataset');

      const dataset = page.locator(`${WIZARD} .mo-TaskCard[data-dataset="mo/text_zh_en"]`);
      await dataset.click();
      const split = page.locator(`${WIZARD} .mo-TaskSplit`);
      await split.waitFor();
      assert.match(await split.innerText(), /Train share of the dataset: 80 %/);
      assert.equal(await split.locator('input[value="dataset"]').isChecked(), true);
      await split.locator('input[value="ratio"]').check();
      const ratio = split.locator('.mo-TaskSplit-ratio');
      await ratio.fill('1.5');
      await split.locator('.mo-TaskField-error').waitFor();
      assert.equal(await nextButton.isEnabled(), false, 'a ratio above 1 closes Next');
      await ratio.fill('0.8');
      await split.locator('.mo-TaskField-error').waitFor({ state: 'detached' });
      await next(page, 'params');

      const alphaRow = page.locator(`${WIZARD} .mo-TaskParam[data-param="alpha"]`);
      const alpha = alphaRow.locator('input');
      assert.equal(await alpha.inputValue(), '0.3', 'the default is filled in');
      assert.match(await alphaRow.innerText(), /smoothing/);
      assert.match(await alphaRow.innerText(), /from 0\.01 to 10/);
      await alpha.fill('99');
      const problem = alphaRow.locator('.mo-TaskParam-error');
      await problem.waitFor();
      assert.match(await problem.innerText(), /At most 10/);
      assert.equal(await nextButton.isEnabled(), false, 'alpha 99 is refused');
      await alpha.fill('0.5');
      await problem.waitFor({ state: 'detached' });
      await next(page, 'machine');

      assert.equal(await page.locator(`${WIZARD} .mo-TaskBackend`).inputValue(), 'local');
      assert.equal(await page.locator(`${WIZARD} .mo-TaskMachine`).inputValue(), 'cpu');
      await next(page, 'name');

      const name = page.locator(`${WIZARD} .mo-TaskName`);
      assert.equal(await name.inputValue(), 'text_classifier_bayes-text_zh_en');
      await page.locator(`${WIZARD} .mo-TaskDescription`).fill('alpha 0.5 on 80 %');
      const summary = page.locator(`${WIZARD} [data-testid="mo-task-summary"]`);
      assert.match(await summary.locator('tr[data-field="split"]').innerText(), /0\.8/);
      assert.match(await summary.locator('tr[data-field="params"]').innerText(), /alpha=0\.5/);
      await page.locator(`${WIZARD} [data-testid="mo-task-save"]`).click();
      await waitForToast(page, /Draft text_classifier_bayes-text_zh_en saved/);

      const { tasks } = await server.api('mo/api/tasks');
      assert.equal(tasks.length, 1);
      const task = tasks[0];
      taskId = task.id;
      assert.equal(task.state, 'draft');
      assert.equal(task.name, 'text_classifier_bayes-text_zh_en');
      assert.equal(task.description, 'alpha 0.5 on 80 %');
      assert.equal(task.purpose, 'text_classification');
      assert.equal(task.module.id, 'mo/text_classifier_bayes');
      assert.equal(task.dataset.id, 'mo/text_zh_en');
      assert.deepEqual(task.split, { kind: 'ratio', ratio: 0.8 });
      assert.deepEqual(task.params, { alpha: 0.5 });
      assert.equal(task.backend, 'local');
      assert.equal(task.machine, 'cpu');
      // the saved wizard now edits that draft, and comes back so after a reload
      await page.waitForSelector(`${WIZARD}[data-task-id="${taskId}"]`);
      // the layout is saved in the workspace a moment later
      const deadline = Date.now() + 20000;
      while (!JSON.stringify(await server.api('lab/api/workspaces')).includes(`"id":"${taskId}"`)) {
        assert.ok(Date.now() < deadline, 'the workspace records the draft wizard');
        await page.waitForTimeout(200);
      }
      await page.reload();
      await waitForLab(page);
      await wizardAt(page, 'name', 'edit');
      assert.equal(await page.locator(WIZARD).getAttribute('data-task-id'), taskId);
      assert.equal(await page.locator('.mo-TaskWizard').count(), 1);
    });
  });

  it('edits the draft, then starts it: the job tab opens and completes with an accuracy chart', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'tasks-start', async () => {
      assert.ok(taskId, 'the first test saved a draft');
      // Edit shows the draft's wizard (the restored one, not a second)
      void execute(page, 'mo:edit-training-task', { id: taskId });
      await wizardAt(page, 'name', 'edit');
      assert.equal(await page.locator('.mo-TaskWizard').count(), 1);
      const summary = page.locator(`${WIZARD} [data-testid="mo-task-summary"]`);
      assert.match(await summary.locator('tr[data-field="module"]').innerText(), /mo\/text_classifier_bayes/);
      assert.match(await summary.locator('tr[data-field="params"]').innerText(), /alpha=0\.5/);
      assert.match(await summary.locator('tr[data-field="folder"]').innerText(), /tasks\//);
      // the steps bar goes back to the parameters: alpha is the draft's
      await page.locator(`${WIZARD} .mo-DeployWizard-stepTitle[data-step="params"] button`).click();
      await wizardAt(page, 'params', 'edit');
      assert.equal(await page.locator(`${WIZARD} .mo-TaskParam[data-param="alpha"] input`).inputValue(), '0.5');
      await page.locator(`${WIZARD} .mo-DeployWizard-stepTitle[data-step="dataset"] button`).click();
      await wizardAt(page, 'dataset', 'edit');
      assert.equal(await page.locator(`${WIZARD} .mo-TaskSplit input[value="ratio"]`).isChecked(), true);
      assert.equal(await page.locator(`${WIZARD} .mo-TaskSplit-ratio`).inputValue(), '0.8');
      await page.locator(`${WIZARD} .mo-DeployWizard-stepTitle[data-step="name"] button`).click();
      await wizardAt(page, 'name', 'edit');
      await page.locator(`${WIZARD} .mo-TaskDescription`).fill('edited, then started');

      const before = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.mo-JobWidget')).map(n => n.id)
      );
      await page.locator(`${WIZARD} [data-testid="mo-task-start"]`).click();
      const handle = await page.waitForFunction(
        prev => {
          const w = Array.from(document.querySelectorAll('.mo-JobWidget')).find(n => !prev.includes(n.id));
          return w ? w.id.replace(/^mo-job-/, '') : null;
        },
        before,
        { timeout: 60000 }
      );
      const jobId = await handle.jsonValue();
      await waitForToast(page, /Training task text_classifier_bayes-text_zh_en started/);
      await page.waitForSelector('.mo-TaskWizard', { state: 'detached' });

      const task = await server.api(`mo/api/tasks/${taskId}`);
      assert.equal(task.state, 'started');
      assert.equal(task.description, 'edited, then started');
      assert.deepEqual(task.jobs, [jobId]);
      assert.equal(task.last_job.id, jobId);
      const job = await server.api(`mo/api/jobs/${jobId}`);
      assert.equal(job.task.id, taskId);
      assert.equal(job.task.conf.alpha, 0.5);
      assert.equal(job.task.conf.train_ratio, 0.8);

      await showJobsSidebar(page);
      await waitForJobState(page, jobId, 'completed', 120000);
      await openJobTab(page, jobId, 'metrics');
      const chart = `#mo-job-${jobId} .mo-MetricChart[data-metric="accuracy"]`;
      await page.waitForSelector(chart);
      await waitForAttr(page, chart, 'data-points', v => Number(v) >= 1, { label: 'an accuracy point' });
      const errors = page.errors.filter(e => !/favicon|404/.test(e));
      assert.deepEqual(errors, [], 'no console errors');
    });
  });
  it('shows a server refusal in place; Clone makes a new draft with the same values', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'tasks-refused', async () => {
      const draft = await server.api('mo/api/tasks', {
        method: 'POST',
        body: {
          name: 'bayes-half',
          module: 'mo/text_classifier_bayes',
          dataset: 'mo/text_zh_en',
          split: { kind: 'ratio', ratio: 0.5 },
          params: { alpha: 2 }
        }
      });
      void execute(page, 'mo:edit-training-task', { id: draft.id });
      await wizardAt(page, 'name', 'edit');
      // started elsewhere meanwhile: the draft can no longer be edited
      const started = await server.api(`mo/api/tasks/${draft.id}/start`, { method: 'POST' });
      await page.locator(`${WIZARD} [data-testid="mo-task-save"]`).click();
      const error = page.locator('.mo-TaskWizard .mo-TaskWizard-error');
      await error.waitFor();
      assert.match(await error.innerText(), /has been started/);
      await page.locator('.lm-DockPanel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon').click();
      await page.waitForSelector('.mo-TaskWizard', { state: 'detached' });

      void execute(page, 'mo:clone-training-task', { id: draft.id });
      await wizardAt(page, 'name', 'clone');
      assert.equal(await page.locator(`${WIZARD} .mo-TaskName`).inputValue(), 'bayes-half-copy');
      const summary = page.locator(`${WIZARD} [data-testid="mo-task-summary"]`);
      assert.match(await summary.locator('tr[data-field="params"]').innerText(), /alpha=2/);
      await page.locator(`${WIZARD} [data-testid="mo-task-save"]`).click();
      await waitForToast(page, /Draft bayes-half-copy saved/);
      const { tasks } = await server.api('mo/api/tasks');
      const clone = tasks.find(t => t.name === 'bayes-half-copy');
      assert.ok(clone, 'the clone is a new task');
      assert.notEqual(clone.id, draft.id);
      assert.equal(clone.state, 'draft');
      assert.deepEqual(clone.split, { kind: 'ratio', ratio: 0.5 });
      assert.deepEqual(clone.params, { alpha: 2 });
      await page.locator('.lm-DockPanel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon').click();
      await page.waitForSelector('.mo-TaskWizard', { state: 'detached' });
      assert.equal(started.state, 'started');
    });
  });
  it('the Launcher card opens the wizard', async () => {
    const { page } = lab;
    await withSnapshot(page, 'tasks-launcher', async () => {
      await execute(page, 'launcher:create');
      const section = page.locator('.jp-Launcher-section', {
        has: page.locator('.jp-Launcher-sectionTitle', { hasText: /^Mo$/ })
      });
      await section.locator('.jp-LauncherCard', { hasText: /^New Training Task$/ }).click();
      await wizardAt(page, 'purpose');
      await page.locator('.lm-DockPanel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon').click();
    });
  });

  it('transfer training: the wizard opens on the module with the model to go on from', async () => {
    const { page } = lab;
    await withSnapshot(page, 'tasks-transfer', async () => {
      void execute(page, 'mo:new-training-task', { module: 'mo/mnist_cnn', startModel: 'results/m.keras' });
      await wizardAt(page, 'dataset');
      assert.match(await page.locator(`${WIZARD} h1`).innerText(), /from the model results\/m\.keras/);
      // the only dataset that fits is chosen; it holds an independent test set
      const card = page.locator(`${WIZARD} .mo-TaskCard[data-dataset="mo/mnist"]`);
      assert.equal(await card.getAttribute('aria-checked'), 'true');
      assert.equal(await page.locator(`${WIZARD} .mo-TaskSplit input[value="independent"]`).isChecked(), true);
      await next(page, 'params');
      const param = n => page.locator(`${WIZARD} .mo-TaskParam[data-param="${n}"] input`);
      assert.equal(await param('start_model_path').inputValue(), 'results/m.keras');
      assert.equal(await param('epochs').inputValue(), '3');
      await param('epochs').fill('2.5');
      assert.match(await page.locator(`${WIZARD} .mo-TaskParam[data-param="epochs"] .mo-TaskParam-error`).innerText(), /whole number/);
      await page.locator('.lm-DockPanel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon').click();
    });
  });

  it('speaks Chinese with JupyterLab in zh_CN', async t => {
    const { page, server } = lab;
    const { data } = await server.api('lab/api/translations');
    if (!('zh_CN' in data)) {
      t.skip('jupyterlab-language-pack-zh-CN is not installed');
      return;
    }
    await withSnapshot(page, 'tasks-zh', async () => {
      await server.api('lab/api/settings/@jupyterlab/translation-extension:plugin', {
        method: 'PUT',
        body: { raw: JSON.stringify({ locale: 'zh_CN' }) }
      });
      try {
        await page.reload();
        await waitForLab(page);
        void execute(page, 'mo:new-training-task', { module: 'mo/text_classifier_bayes' });
        await wizardAt(page, 'dataset');
        const steps = await page.locator(`${WIZARD} .mo-DeployWizard-stepTitle`).allInnerTexts();
        assert.deepEqual(
          steps.map(x => x.replace(/^\d+\s*/, '').trim()),
          ['用途', '算法', '数据集', '参数', '机器', '名称与保存']
        );
        assert.equal(await page.locator(`${WIZARD} h1`).innerText(), '新建训练任务');
        assert.match(await page.locator(`${WIZARD} .mo-TaskSplit`).innerText(), /数据集自带的训练集比例：80 %/);
        await page.locator(`${WIZARD} .mo-DeployWizard-stepTitle[data-step="algorithm"] button`).click();
        await wizardAt(page, 'algorithm');
        const tabs = await page.locator(`${WIZARD} .mo-TaskTab`).allInnerTexts();
        assert.deepEqual(
          tabs.map(x => x.replace(/\s*\d+$/, '').trim()),
          ['我的算法', '预置算法', '公开算法']
        );
      } finally {
        await server.api('lab/api/settings/@jupyterlab/translation-extension:plugin', {
          method: 'PUT',
          body: { raw: JSON.stringify({ locale: 'en' }) }
        });
      }
    });
  });
});
