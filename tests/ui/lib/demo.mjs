// Start the demo exactly as the README says: `bash .ci/demo`, with the two knobs it documents
// (PORT, MO_DEMO_DIR) and JupyterLab options passed through its "$@" (a known token, no browser,
// the app exposed to the test). The demo's project is made by the script itself.
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { REPO, freePort, launch, makeSettingsDir, tmp } from './server.mjs';

const DEMO = process.env.MO_UI_DEMO_SCRIPT || path.join(REPO, '.ci/demo');

/** Resolves once the demo's server answers `GET /mo/api/config` (a first run installs first). */
export async function startDemo({ name = 'demo', timeoutMs = 15 * 60000 } = {}) {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const parent = tmp('demo');
  const root = path.join(parent, 'mo-demo');
  const workspaces = tmp('workspaces');
  // the news / update toast would cover the buttons the walk clicks
  const settingsDir = makeSettingsDir();
  const args = [
    DEMO,
    '--no-browser',
    '--ServerApp.port_retries=0',
    `--IdentityProvider.token=${token}`,
    `--LabApp.workspaces_dir=${workspaces}`,
    '--LabApp.expose_app_in_browser=True'
  ];
  const env = { ...process.env, PORT: String(port), MO_DEMO_DIR: root, JUPYTERLAB_SETTINGS_DIR: settingsDir };
  return launch({
    name, label: '.ci/demo', command: 'bash', args, cwd: REPO, env,
    port, token, root, tempDirs: [parent, workspaces, settingsDir], timeoutMs
  });
}
