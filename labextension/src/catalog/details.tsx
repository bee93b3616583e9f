/**
 * What the module and dataset details tabs share: the tab, loading the
 * detail, the header (title, id, badges, description, tags, toolbar), the
 * file list, and the busy state of their buttons.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { LabIcon, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { errorMessage } from '../api';
import { IFileEntry } from './api';
import { permissionLabel } from './labels';
import { CatalogError, Tags } from './search';
import { detailsWidgetId, formatBytes } from './util';

/** The content of a details tab: classed mo-ModuleDetails / mo-DatasetDetails, with data-module-id / data-dataset-id. */
export abstract class CatalogDetails<
  O extends { id: string }
> extends ReactWidget {
  constructor(
    readonly options: O,
    readonly kind: 'module' | 'dataset'
  ) {
    super();
    this.addClass(`mo-${kindClass(kind)}`);
    this.node.setAttribute(`data-${kind}-id`, options.id);
  }
}

/** The closable main-area tab of a module or dataset, labelled with its name. */
export function createDetailsTab<T extends CatalogDetails<{ id: string }>>(
  content: T,
  caption: string,
  icon: LabIcon
): MainAreaWidget<T> {
  const { id } = content.options;
  const widget = new MainAreaWidget({ content });
  widget.id = detailsWidgetId(content.kind, id);
  widget.title.label = id.split('/').pop() ?? id;
  widget.title.caption = caption;
  widget.title.icon = icon;
  widget.title.closable = true;
  return widget;
}

/**
 * Load the detail again whenever `deps` change; an answer that comes after
 * the next load started is dropped. `error` is cleared by a success.
 */
export function useDetail<T>(
  load: () => Promise<T>,
  deps: React.DependencyList,
  onLoaded?: (detail: T) => void
): { detail: T | null; error: string | null } {
  const [detail, setDetail] = React.useState<T | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    let live = true;
    load().then(
      d => {
        if (live) {
          setDetail(d);
          setError(null);
          onLoaded?.(d);
        }
      },
      err => live && setError(errorMessage(err))
    );
    return () => {
      live = false;
    };
  }, deps);
  return { detail, error };
}

/** Which button's action runs ('' for none), and a runner that sets it. */
export function useBusy(): [
  string,
  (name: string, fn: () => Promise<unknown>) => Promise<void>
] {
  const [busy, setBusy] = React.useState('');
  const run = async (name: string, fn: () => Promise<unknown>) => {
    setBusy(name);
    try {
      await fn();
    } finally {
      setBusy('');
    }
  };
  return [busy, run];
}

/** The content of a tab whose detail is not loaded yet (or failed to). */
export function DetailsLoading(props: {
  className: string;
  failure: string;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <div className={props.className} data-state="loading">
      {props.failure ? (
        <CatalogError>{props.failure}</CatalogError>
      ) : (
        <div className="mo-Catalog-loading">{props.trans.__('Loading…')}</div>
      )}
    </div>
  );
}

/** Title line with badges, description, tags, the toolbar (children), a failure. */
export function DetailsHeader(props: {
  detail: { name: string; id: string; description?: string; tags?: string[] };
  badges: React.ReactNode;
  failure: string;
  children: React.ReactNode;
}): JSX.Element {
  const { detail } = props;
  return (
    <div className="mo-Details-header">
      <div className="mo-Details-titleLine">
        <h1 className="mo-Details-title">{detail.name}</h1>
        <span className="mo-Details-id">{detail.id}</span>
        {props.badges}
      </div>
      {detail.description && (
        <p className="mo-Details-description">{detail.description}</p>
      )}
      <Tags tags={detail.tags} />
      <div className="mo-Details-toolbar">{props.children}</div>
      {props.failure && <CatalogError>{props.failure}</CatalogError>}
    </div>
  );
}

/** Paths and sizes. */
export function FileList(props: {
  files: IFileEntry[];
  testId?: string;
}): JSX.Element {
  return (
    <ul className="mo-FileList" data-testid={props.testId}>
      {props.files.map(f => (
        <li key={f.path}>
          <span className="mo-FileList-path">{f.path}</span>
          <span className="mo-FileList-size">{formatBytes(f.size)}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The owner's Set offline / Set online button and Permission select
 * (Preset shown, disabled, only when it is the value).
 */
export function OwnerSettings<D extends { permission?: string }>(props: {
  kind: 'module' | 'dataset';
  trans: TranslationBundle;
  detail: D;
  online: boolean;
  statusTitle: string;
  busy: string;
  run: (name: string, fn: () => Promise<unknown>) => Promise<void>;
  actions: {
    setStatus: (d: D, status: 'online' | 'offline') => Promise<unknown>;
    setPermission: (d: D, permission: 'private' | 'public') => Promise<unknown>;
  };
}): JSX.Element {
  const { kind, trans, detail, online, run, actions } = props;
  const permission = detail.permission;
  const disabled = props.busy !== '';
  return (
    <>
      <button
        className={`jp-Button jp-mod-styled mo-${kindClass(kind)}-status`}
        data-testid={`mo-${kind}-toggle-status`}
        disabled={disabled}
        title={props.statusTitle}
        onClick={() =>
          void run('status', () =>
            actions.setStatus(detail, online ? 'offline' : 'online')
          )
        }
      >
        {online ? trans.__('Set offline') : trans.__('Set online')}
      </button>
      <label className="mo-Details-field">
        <span>{trans.__('Permission')}</span>
        <select
          className={`jp-mod-styled mo-${kindClass(kind)}-permission`}
          data-testid={`mo-${kind}-permission`}
          value={permission}
          disabled={disabled}
          onChange={e => {
            const p = e.currentTarget.value as 'private' | 'public';
            void run('permission', () => actions.setPermission(detail, p));
          }}
        >
          <option value="private">{permissionLabel(trans, 'private')}</option>
          <option value="public">{permissionLabel(trans, 'public')}</option>
          {permission === 'preset' && (
            <option value="preset" disabled>
              {permissionLabel(trans, 'preset')}
            </option>
          )}
        </select>
      </label>
    </>
  );
}

/** `ModuleDetails` / `DatasetDetails`: the details tabs' class stem. */
function kindClass(kind: 'module' | 'dataset'): string {
  return kind === 'module' ? 'ModuleDetails' : 'DatasetDetails';
}
