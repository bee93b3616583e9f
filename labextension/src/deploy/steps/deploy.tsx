/**
 * Step 4, "app_spec.yml and deploy": the YAML preview (built here the way the
 * server writes it; after "Write files", the files as written on disk), the
 * version, the files to take along, and the Write files / Deploy buttons with
 * a status line.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { Version } from '../api';
import { IFileChoice } from '../files';
import { ITarget } from '../targets';

export interface IStatus {
  kind: 'info' | 'success' | 'error';
  text: string;
}

export function DeployStep(props: {
  yaml: string;
  /** app_spec.yml as written on disk, when it is up to date. */
  writtenYaml: string | null;
  folder: string;
  version: Version;
  onVersion: (v: Version) => void;
  /** The service's name, why it is not one ('' when it is), what deploying replaces. */
  name: string;
  onName: (name: string) => void;
  nameProblem: string;
  replacing: string;
  targets: ITarget[];
  target: string;
  onTarget: (value: string) => void;
  files: IFileChoice[];
  onFile: (path: string, checked: boolean) => void;
  busy: string;
  status: IStatus | null;
  onWrite: () => void;
  onDeploy: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans, busy, status } = props;
  const shown = props.writtenYaml ?? props.yaml;
  return (
    <div
      className="mo-Deploy-step mo-Deploy-final"
      data-testid="mo-deploy-final"
    >
      <div className="mo-Deploy-columns">
        <section className="mo-Deploy-yamlBox">
          <h3
            className="mo-Deploy-sectionTitle"
            data-testid="mo-deploy-yaml-label"
          >
            {props.writtenYaml !== null
              ? trans.__('app_spec.yml (as written in %1)', props.folder || '/')
              : trans.__(
                  'app_spec.yml (preview: written by Write files or Deploy)'
                )}
          </h3>
          <pre
            className="mo-Deploy-code mo-Deploy-yaml"
            data-testid="mo-deploy-yaml"
          >
            {shown}
          </pre>
        </section>
        <section className="mo-Deploy-options">
          <h3 className="mo-Deploy-sectionTitle">
            <label htmlFor="mo-deploy-name">{trans.__('Service name')}</label>
          </h3>
          <input
            id="mo-deploy-name"
            className="jp-mod-styled mo-Deploy-name"
            data-testid="mo-deploy-name"
            value={props.name}
            maxLength={100}
            spellCheck={false}
            aria-invalid={props.nameProblem ? 'true' : 'false'}
            onChange={e => props.onName(e.target.value)}
          />
          {props.nameProblem ? (
            <p
              className="mo-Deploy-hint mo-mod-error"
              data-testid="mo-deploy-name-problem"
              role="alert"
            >
              {props.nameProblem}
            </p>
          ) : (
            <p className="mo-Deploy-hint">
              {trans.__('Deployed as %1-%2', props.name, props.version)}
            </p>
          )}
          {props.replacing && (
            <p
              className="mo-Deploy-hint mo-mod-warning"
              data-testid="mo-deploy-replaces"
              role="status"
            >
              {props.replacing}
            </p>
          )}
          <h3 className="mo-Deploy-sectionTitle">{trans.__('Version')}</h3>
          <div className="mo-Deploy-versions" role="radiogroup">
            {(['dev', 'prod'] as Version[]).map(v => (
              <label key={v} className="mo-Deploy-radio">
                <input
                  type="radio"
                  name="mo-deploy-version"
                  data-testid={`mo-deploy-version-${v}`}
                  checked={props.version === v}
                  onChange={() => props.onVersion(v)}
                />
                {v === 'dev'
                  ? trans.__('dev (development version)')
                  : trans.__('prod (release version)')}
              </label>
            ))}
          </div>
          <h3 className="mo-Deploy-sectionTitle">{trans.__('Run on')}</h3>
          <select
            className="mo-Deploy-target"
            data-testid="mo-deploy-target"
            value={props.target}
            onChange={e => props.onTarget(e.target.value)}
          >
            {props.targets.map(t => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
          <h3 className="mo-Deploy-sectionTitle">
            {trans.__('Files to include')}
          </h3>
          <p className="mo-Deploy-hint">
            {trans.__('handler.py and app_spec.yml are always included.')}
          </p>
          {!props.files.length && (
            <div className="mo-Deploy-empty">
              {trans.__('No other files next to the notebook.')}
            </div>
          )}
          <ul className="mo-Deploy-files" data-testid="mo-deploy-files">
            {props.files.map(f => (
              <li key={f.path}>
                <label>
                  <input
                    type="checkbox"
                    data-testid={`mo-deploy-file-${f.path}`}
                    data-path={f.path}
                    checked={f.checked}
                    onChange={e => props.onFile(f.path, e.target.checked)}
                  />
                  <span className="mo-Deploy-path">{f.path}</span>
                </label>
              </li>
            ))}
          </ul>
        </section>
      </div>
      <div className="mo-Deploy-actions">
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          data-testid="mo-deploy-write"
          disabled={!!busy}
          onClick={props.onWrite}
        >
          {busy === 'write' ? trans.__('Writing…') : trans.__('Write files')}
        </button>
        <button
          className="jp-Button jp-mod-styled jp-mod-accept"
          data-testid="mo-deploy-deploy"
          disabled={!!busy || !!props.nameProblem}
          onClick={props.onDeploy}
        >
          {busy === 'deploy' ? trans.__('Deploying…') : trans.__('Deploy')}
        </button>
        {status && (
          <span
            className={`mo-Deploy-status mo-mod-${status.kind}`}
            data-testid="mo-deploy-status"
            data-kind={status.kind}
            role={status.kind === 'error' ? 'alert' : 'status'}
          >
            {status.text}
          </span>
        )}
      </div>
    </div>
  );
}
