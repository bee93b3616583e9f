// Start the demo exactly as the README says: `bash .ci/demo`, with the two knobs it documents
// (PORT, MO_DEMO_DIR) and JupyterLab options passed through its "$@" (a known token, no browser,
// the app exposed to the test). The demo's project is made by the script itself.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { OUTPUT, REPO, api, freePort, stopServer } from './server.mjs';

const DEMO = process.env.MO_UI_DEMO_SCRIPT || path.join(REPO, '.ci/demo');

function tmp(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `mo-ui-${prefix}-`));
}

/** Resolves once the demo's server answers `GET /mo/api/config` (a first run installs first). */
export async function startDemo({ name = 'demo', timeoutMs = 15 * 60000 } = {}) {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const parent = tmp('demo');
  const root = path.join(parent, 'mo-demo');
  const workspaces = tmp('workspaces');
  const settingsDir = tmp('settings');
  // the news / update toast would cover the buttons the walk clicks
  const notify = path.join(settingsDir, '@jupyterlab/apputils-extension/notification.jupyterlab-settings');
  fs.mkdirSync(path.dirname(notify), { recursive: true });
  fs.writeFileSync(notify, JSON.stringify({ fetchNews: 'false', checkForUpdates: false }));
  fs.mkdirSync(OUTPUT, { recursive: true });
  const logFile = path.join(OUTPUT, `${name}.log`);
  const log = fs.openSync(logFile, 'w');
  const args = [
    DEMO,
    '--no-browser',
    '--ServerApp.port_retries=0',
    `--IdentityProvider.token=${token}`,
    `--LabApp.workspaces_dir=${workspaces}`,
    '--LabApp.expose_app_in_browser=True'
  ];
  const env = { ...process.env, PORT: String(port), MO_DEMO_DIR: root, JUPYTERLAB_SETTINGS_DIR: settingsDir };
  const proc = spawn('bash', args, { cwd: REPO, env, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited = null;
  proc.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const url = `http://127.0.0.1:${port}/`;
  const server = {
    url, port, token, root, logFile, proc,
    tempDirs: [parent, workspaces, settingsDir],
    labUrl: `${url}lab?token=${token}`,
    api: (p, init = {}) => api(server, p, init),
    stop: () => stopServer(server)
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(`.ci/demo exited (${JSON.stringify(exited)}); log:\n${fs.readFileSync(logFile, 'utf8').slice(-4000)}`);
    }
    try {
      const r = await fetch(`${url}mo/api/config?token=${token}`);
      if (r.ok) {
        return server;
      }
    } catch {
      // installing, or not listening yet
    }
    if (Date.now() > deadline) {
      await stopServer(server);
      throw new Error(`.ci/demo did not answer in ${timeoutMs} ms; log:\n${fs.readFileSync(logFile, 'utf8').slice(-4000)}`);
    }
    await new Promise(r => setTimeout(r, 500));
  }
}
