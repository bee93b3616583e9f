// The panels in Chinese: with JupyterLab's language set to zh_CN (needs the
// jupyterlab-language-pack-zh-CN package, in the test extras), the job widget,
// the Jobs sidebar and the Metrics tab use mo_jupyter's zh_CN catalog.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { execute, useLab, waitForLab } from './lib/browser.mjs';
import { showJobsSidebar, waitForJobState, withSnapshot } from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

describe('zh_CN', () => {
  let hasPack = false;

  const lab = useLab(() => startServer({ name: 'zh' }), {
    prepare: async server => {
      const { data } = await server.api('lab/api/translations');
      hasPack = 'zh_CN' in data;
    }
  });

  const tabs = id =>
    lab.page.$$eval(`#mo-job-${id} .mo-JobPanel > .lm-TabBar .lm-TabBar-tabLabel`, els => els.map(e => e.textContent));

  it('speaks Chinese after switching the language to zh_CN', async t => {
    const { page, server } = lab;
    if (!hasPack) {
      t.skip('jupyterlab-language-pack-zh-CN is not installed');
      return;
    }
    await withSnapshot(page, 'zh', async () => {
      const job = await server.api('mo/api/jobs', {
        method: 'POST',
        body: { path: 'metrics_stream.py', args: ['--steps', '30', '--rate', '200'] }
      });
      await execute(page, 'mo:open-job', { id: job.id });
      await waitForJobState(page, job.id, 'completed');
      assert.deepEqual(await tabs(job.id), ['Log', 'Metrics', 'Details']);

      await server.api('lab/api/settings/@jupyterlab/translation-extension:plugin', {
        method: 'PUT',
        body: { raw: JSON.stringify({ locale: 'zh_CN' }) }
      });
      await page.reload();
      await waitForLab(page);
      // the restored layout may not include the job: open it again
      await execute(page, 'mo:open-job', { id: job.id });
      await showJobsSidebar(page);
      await waitForJobState(page, job.id, 'completed');
      assert.deepEqual(await tabs(job.id), ['日志', '指标', '详情']);
      assert.equal(await page.locator('#mo-jobs-sidebar .mo-JobsSidebar-title').innerText(), '任务');
      // JupyterLab itself is in Chinese too (its File menu)
      assert.equal(await page.locator('.lm-MenuBar-itemLabel').first().innerText(), '文件');
      const status = await page.locator(`#mo-job-${job.id} .mo-JobStatus`).innerText();
      assert.match(status, /已完成/);
      await page.locator(`#mo-job-${job.id} .lm-TabBar-tab.mo-JobTab-metrics`).click();
      await page.waitForSelector(`#mo-job-${job.id} .mo-MetricChart[data-metric="loss"]`);
      const toolbar = await page.locator(`#mo-job-${job.id} .mo-MetricsPanel-toolbar`).innerText();
      assert.match(toolbar, /X 轴/);
    });
  });
});
