/**
 * A module's details tab: README, versions, parameter tables, and the
 * Insert / Insert train code buttons (they go to the active notebook); for
 * its owner also Edit…, Set offline / online, Permission and Withdraw
 * version… (moduleadmin.tsx).
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { modulesIcon } from '../icons';
import { IModuleDetail, IParam, ModuleAction, getModule } from './api';
import {
  CatalogDetails,
  DetailsHeader,
  DetailsLoading,
  FileList,
  createDetailsTab,
  useBusy,
  useDetail
} from './details';
import { permissionLabel, statusLabel } from './labels';
import { Markdown } from './markdown';
import { IModuleAdminActions, OwnerActions } from './moduleadmin';
import { Badge, CatalogEvents, useChangeTick } from './search';
import { mainAction } from './util';

export interface IModuleDetailsOptions {
  id: string;
  version?: string;
  trans: TranslationBundle;
  rendermime: IRenderMimeRegistry;
  insert: (
    id: string,
    version: string,
    action: ModuleAction
  ) => Promise<unknown>;
  events: CatalogEvents;
  admin: IModuleAdminActions;
  /** Called when its last version was withdrawn (the tab closes). */
  onGone: () => void;
}

export class ModuleDetails extends CatalogDetails<IModuleDetailsOptions> {
  constructor(options: IModuleDetailsOptions) {
    super(options, 'module');
  }

  get moduleId(): string {
    return this.options.id;
  }

  /** The version shown ('' until loaded). */
  currentVersion = '';
  /** The action of its Insert button (null until loaded or when none). */
  currentAction: ModuleAction | null = null;

  render(): JSX.Element {
    return (
      <ModuleView
        {...this.options}
        onLoaded={d => {
          this.currentVersion = d.version;
          this.currentAction = mainAction(d);
          this.node.setAttribute('data-version', d.version);
        }}
      />
    );
  }
}

export function createModuleWidget(
  options: IModuleDetailsOptions
): MainAreaWidget<ModuleDetails> {
  const caption = options.trans.__('Module %1', options.id);
  return createDetailsTab(new ModuleDetails(options), caption, modulesIcon);
}

function ModuleView(
  props: IModuleDetailsOptions & { onLoaded: (d: IModuleDetail) => void }
): JSX.Element {
  const { id, trans } = props;
  const [version, setVersion] = React.useState(props.version ?? '');
  const [tick] = useChangeTick(props.events, id);
  const { detail, error } = useDetail(
    () => getModule(id, version || undefined),
    [id, version, tick],
    props.onLoaded
  );
  const [busy, run] = useBusy();
  const failure = error ? trans.__('Cannot load module %1: %2', id, error) : '';

  if (!detail) {
    return (
      <DetailsLoading
        className="mo-ModuleDetails-content"
        failure={failure}
        trans={trans}
      />
    );
  }

  const action = mainAction(detail);
  const insert = (a: ModuleAction) =>
    run(a, () => props.insert(detail.id, detail.version, a));
  const inputs = detail.spec.input ?? {};
  const outputs = detail.spec.output ?? {};

  return (
    <div
      className="mo-ModuleDetails-content"
      data-state="ready"
      data-version={detail.version}
      data-status={detail.status}
      data-writable={detail.writable ? 'true' : 'false'}
    >
      <DetailsHeader
        detail={detail}
        failure={failure}
        badges={
          <>
            <Badge kind="catalog" value={detail.catalog} />
            <Badge
              kind="permission"
              value={detail.permission}
              label={permissionLabel(trans, detail.permission)}
            />
            {detail.status === 'offline' && (
              <Badge
                kind="status"
                value="offline"
                label={statusLabel(trans, 'offline')}
                title={trans.__('Offline: only you see it')}
              />
            )}
            {detail.category === 'toolkit' && (
              <Badge
                kind="category"
                value="toolkit"
                label={trans.__('toolkit')}
              />
            )}
          </>
        }
      >
        <label className="mo-Details-field">
          <span>{trans.__('Version')}</span>
          <select
            className="jp-mod-styled mo-ModuleDetails-version"
            data-testid="mo-module-version"
            value={version || detail.version}
            onChange={e => setVersion(e.currentTarget.value)}
          >
            {detail.versions.map(v => (
              <option key={v} value={v}>
                {v === detail.versions[0] ? trans.__('%1 (latest)', v) : v}
              </option>
            ))}
          </select>
        </label>
        <button
          className="jp-Button jp-mod-styled jp-mod-accept mo-ModuleDetails-insert"
          data-testid="mo-module-insert"
          disabled={!action || busy !== ''}
          title={
            action
              ? trans.__(
                  'Insert the %1 code below the active cell of the current notebook',
                  action
                )
              : trans.__('This module has neither predict nor run')
          }
          onClick={() => action && void insert(action)}
        >
          {busy !== '' && busy !== 'train'
            ? trans.__('Inserting…')
            : trans.__('Insert')}
        </button>
        {detail.actions.includes('train') && (
          <button
            className="jp-Button jp-mod-styled mo-ModuleDetails-insertTrain"
            data-testid="mo-module-insert-train"
            disabled={busy !== ''}
            title={trans.__(
              'Insert code that retrains the module with a conf of its train parameters'
            )}
            onClick={() => void insert('train')}
          >
            {busy === 'train'
              ? trans.__('Inserting…')
              : trans.__('Insert train code')}
          </button>
        )}
        {detail.writable && (
          <OwnerActions
            detail={detail}
            trans={trans}
            admin={props.admin}
            busy={busy}
            run={run}
            onWithdrawn={versions =>
              versions.length ? setVersion(versions[0]) : props.onGone()
            }
          />
        )}
      </DetailsHeader>

      {(['train', 'predict', 'run'] as ModuleAction[]).map(a => {
        const ins = inputs[a] ?? [];
        const outs = a === 'train' ? [] : (outputs[a] ?? []);
        if (!ins.length && !outs.length && !detail.actions.includes(a)) {
          return null;
        }
        return (
          <section
            key={a}
            className={`mo-Details-section mo-ModuleParams mo-mod-${a}`}
            data-action={a}
          >
            <h2>{actionTitle(trans, a)}</h2>
            <ParamTable
              params={ins}
              trans={trans}
              caption={trans.__('Input')}
            />
            {outs.length > 0 && (
              <ParamTable
                params={outs}
                trans={trans}
                caption={trans.__('Output')}
              />
            )}
          </section>
        );
      })}

      <section className="mo-Details-section mo-ModuleDetails-readmeSection">
        <h2>{trans.__('README')}</h2>
        {detail.readme ? (
          <Markdown
            source={detail.readme}
            rendermime={props.rendermime}
            className="mo-ModuleDetails-readme"
            testId="mo-module-readme"
          />
        ) : (
          <div className="mo-Catalog-empty">{trans.__('No README.')}</div>
        )}
      </section>

      {detail.files.length > 0 && (
        <details className="mo-Details-section mo-ModuleDetails-files">
          <summary>{trans.__('Files (%1)', detail.files.length)}</summary>
          <FileList files={detail.files} />
        </details>
      )}
    </div>
  );
}

function actionTitle(trans: TranslationBundle, a: ModuleAction): string {
  switch (a) {
    case 'train':
      return trans.__('Train');
    case 'predict':
      return trans.__('Predict');
    default:
      return trans.__('Run');
  }
}

function show(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function ParamTable(props: {
  params: IParam[];
  trans: TranslationBundle;
  caption: string;
}): JSX.Element {
  const { params, trans } = props;
  if (!params.length) {
    return (
      <div className="mo-ParamTable-none">
        {trans.__('%1: no parameters', props.caption)}
      </div>
    );
  }
  return (
    <table className="mo-Table mo-ParamTable" data-testid="mo-param-table">
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th>{trans.__('Name')}</th>
          <th>{trans.__('Type')}</th>
          <th>{trans.__('Default')}</th>
          <th>{trans.__('Range')}</th>
          <th>{trans.__('Optional')}</th>
          <th>{trans.__('Description')}</th>
        </tr>
      </thead>
      <tbody>
        {params.map(p => (
          <tr key={p.name} data-param={p.name}>
            <td className="mo-ParamTable-name">{p.name}</td>
            <td className="mo-ParamTable-type">{p.value_type}</td>
            <td className="mo-ParamTable-default">{show(p.default_value)}</td>
            <td>{show(p.value_range)}</td>
            <td>{p.optional ? trans.__('yes') : trans.__('no')}</td>
            <td>{p.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
