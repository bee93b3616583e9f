// Start and stop a real JupyterLab server for the browser tests.
//
// Each server gets fresh temporary folders: a project root (the mnist template's
// files at its top), a workspaces dir, a user settings dir (news toast off)
// and a runtime dir. It binds 127.0.0.1 on a free port, runs in its own
// process group, and `stop()` stops the jobs it started and kills the group.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const OUTPUT = path.join(REPO, 'tests/ui/test-output');

const PYTHON = process.env.PYTHON || 'python3';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh temporary folder, named mo-ui-<prefix>-… */
export function tmp(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `mo-ui-${prefix}-`));
}

/**
 * A fresh project root: the files of the mnist project template (mo_jupyter/templates/mnist:
 * its notebooks and the jobs/examples scripts it takes) at the top, as a plain root (no marker).
 */
export function makeProject() {
  const root = tmp('root');
  const template = path.join(REPO, 'mo_jupyter/templates/mnist');
  const manifest = JSON.parse(fs.readFileSync(path.join(template, 'template.json'), 'utf8'));
  for (const name of manifest.files) {
    fs.copyFileSync(path.join(template, name), path.join(root, name));
  }
  for (const name of manifest.examples) {
    fs.copyFileSync(path.join(REPO, 'jobs/examples', name), path.join(root, name));
  }
  return root;
}

/** User settings that keep JupyterLab quiet (no news / update toast). */
export function makeSettingsDir(extra = {}) {
  const dir = tmp('settings');
  const files = {
    '@jupyterlab/apputils-extension/notification.jupyterlab-settings': {
      fetchNews: 'false',
      checkForUpdates: false
    },
    ...extra
  };
  for (const [rel, value] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(value, null, 2));
  }
  return dir;
}

/**
 * Start JupyterLab; resolves once `GET /mo/api/config` answers.
 * `name` labels the server log in tests/ui/test-output/.
 */
export async function startServer({ name = 'server', settings = {}, timeoutMs = 60000, extraArgs = [] } = {}) {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const root = makeProject();
  const workspaces = tmp('workspaces');
  const settingsDir = makeSettingsDir(settings);
  const runtime = tmp('runtime');
  const args = [
    '-m', 'jupyterlab', '--no-browser',
    '--ip=127.0.0.1', `--port=${port}`, '--ServerApp.port_retries=0',
    `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${root}`,
    `--LabApp.workspaces_dir=${workspaces}`,
    '--LabApp.expose_app_in_browser=True',
    ...extraArgs
  ];
  if (process.getuid && process.getuid() === 0) {
    args.push('--allow-root');
  }
  const env = {
    ...process.env,
    JUPYTERLAB_SETTINGS_DIR: settingsDir,
    JUPYTER_RUNTIME_DIR: runtime,
    PYTHONUNBUFFERED: '1'
  };
  return launch({
    name, label: 'jupyter lab', command: PYTHON, args, cwd: root, env,
    port, token, root, tempDirs: [root, workspaces, settingsDir, runtime], timeoutMs
  });
}

/**
 * Spawn `command args` in its own process group, its output in test-output/<name>.log, and
 * resolve to the server (url, token, api(), stop()...) once `GET /mo/api/config` answers on
 * `port`. `label` names the command in the errors: it exited, or did not answer in `timeoutMs`.
 */
export async function launch({ name, label, command, args, cwd, env, port, token, root, tempDirs, timeoutMs }) {
  fs.mkdirSync(OUTPUT, { recursive: true });
  const logFile = path.join(OUTPUT, `${name}.log`);
  const log = fs.openSync(logFile, 'w');
  const proc = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited = null;
  proc.on('exit', (code, signal) => {
    exited = { code, signal };
  });

  const url = `http://127.0.0.1:${port}/`;
  const server = {
    url, port, token, root, logFile, proc, tempDirs,
    labUrl: `${url}lab?token=${token}`,
    api: (p, init = {}) => api(server, p, init),
    stop: () => stopServer(server)
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(`${label} exited (${JSON.stringify(exited)}); log:\n${tail(logFile)}`);
    }
    try {
      const r = await fetch(`${url}mo/api/config?token=${token}`);
      if (r.ok) {
        await r.json();
        return server;
      }
    } catch {
      // not listening yet (or still installing)
    }
    if (Date.now() > deadline) {
      await stopServer(server);
      throw new Error(`${label} did not answer in ${timeoutMs} ms; log:\n${tail(logFile)}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
}

/** fetch() a server path with the token; JSON bodies in and out. */
export async function api(server, p, { method = 'GET', body, raw = false } = {}) {
  const sep = p.includes('?') ? '&' : '?';
  const r = await fetch(`${server.url}${p}${sep}token=${server.token}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  if (raw) {
    return r;
  }
  const text = await r.text();
  if (!r.ok) {
    throw new Error(`${method} ${p}: ${r.status} ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

function tail(file, n = 4000) {
  try {
    const s = fs.readFileSync(file, 'utf8');
    return s.slice(-n);
  } catch {
    return '';
  }
}

/** Stop active jobs and delete deployed services (both outlive the server), then kill the group. */
export async function stopServer(server) {
  if (server.stopped) {
    return;
  }
  server.stopped = true;
  const { proc } = server;
  if (proc.exitCode === null && proc.signalCode === null) {
    try {
      const { services } = await api(server, 'mo/api/services');
      await Promise.all(services.map(s => api(server, `mo/api/services/${s.id}`, { method: 'DELETE' }).catch(() => null)));
    } catch {
      // no services endpoint, or the server is unwell
    }
    try {
      const { jobs } = await api(server, 'mo/api/jobs');
      const active = jobs.filter(j => j.state === 'queued' || j.state === 'running');
      await Promise.all(active.map(j => api(server, `mo/api/jobs/${j.id}/stop`, { method: 'POST' }).catch(() => null)));
      const until = Date.now() + 10000;
      while (active.length && Date.now() < until) {
        const { jobs: now } = await api(server, 'mo/api/jobs');
        if (!now.some(j => j.state === 'queued' || j.state === 'running')) {
          break;
        }
        await new Promise(r => setTimeout(r, 200));
      }
    } catch {
      // the server is already unwell: kill it anyway
    }
    const gone = new Promise(resolve => proc.once('exit', resolve));
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await gone;
    clearTimeout(timer);
  }
  if (!process.env.MO_UI_KEEP) {
    for (const dir of server.tempDirs) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
