/**
 * The Models sidebar: search the model records as you type; one row per
 * model name (its newest version's facts), a click shows its versions
 * (newest first), a click on a version opens its details tab. It refreshes
 * on a timer while shown (jobs register models when they end), on the
 * Refresh button and after a change made from this page.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import {
  ReactWidget,
  caretDownIcon,
  caretRightIcon,
  refreshIcon
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { Poll } from '@lumino/polling';
import * as React from 'react';

import { IconButton, SidebarHeader, activation } from '../components';
import { formatBytes } from '../catalog/util';
import {
  Badge,
  CatalogEvents,
  ResultStatus,
  SearchBox,
  useSearch
} from '../catalog/search';
import { modelsIcon } from '../icons';
import { formatTime } from '../jobs/format';
import { IModelGroup, IModelRecord, listModels } from './api';
import { frameworkLabel, sortModels, versionFacts } from './format';
import { ModelCommandIDs } from './ids';

export const MODELS_SIDEBAR_ID = 'mo-models-sidebar';

/** How often the list is fetched again while the sidebar is shown. */
const POLL_MS = 5000;

export interface IModelsSidebarOptions {
  commands: CommandRegistry;
  trans: TranslationBundle;
  events: CatalogEvents;
}

async function searchModels(query: string) {
  const items = sortModels(await listModels(query));
  return { items, total: items.length };
}

export class ModelsSidebar extends ReactWidget {
  constructor(private _options: IModelsSidebarOptions) {
    super();
    this.id = MODELS_SIDEBAR_ID;
    this.addClass('mo-Sidebar');
    this.addClass('mo-CatalogSidebar');
    this.addClass('mo-ModelsSidebar');
    this.title.icon = modelsIcon;
    this.title.caption = _options.trans.__('Models');
    this._poll = new Poll({
      factory: async () => {
        if (this.isVisible) {
          _options.events.emit('');
        }
      },
      frequency: { interval: POLL_MS, backoff: false },
      name: 'mo_jupyter:models',
      standby: 'when-hidden'
    });
  }

  render(): JSX.Element {
    return <ModelsPanel {...this._options} />;
  }

  dispose(): void {
    this._poll.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    // shown again: what ended while it was hidden shows at once
    this._options.events.emit('');
  }

  private _poll: Poll;
}

function ModelsPanel(props: IModelsSidebarOptions): JSX.Element {
  const { trans, events } = props;
  const state = useSearch<IModelGroup>(searchModels, events);
  const [open, setOpen] = React.useState<ReadonlySet<string>>(new Set());
  const toggle = (name: string) =>
    setOpen(prev => {
      const next = new Set(prev);
      if (!next.delete(name)) {
        next.add(name);
      }
      return next;
    });
  const empty = state.query
    ? trans.__('No model matches "%1".', state.query)
    : trans.__(
        'No models yet. A job that writes files under results/, or a training task, registers them as a model when it succeeds. You can also register a file by hand: right-click it in the file browser, then Register as Model….'
      );
  return (
    <div
      className="mo-CatalogSidebar-content mo-ModelsSidebar-content"
      data-loading={state.loading ? 'true' : 'false'}
      data-generation={state.generation}
      data-query={state.query}
    >
      <SidebarHeader prefix="mo-ModelsSidebar" title={trans.__('Models')}>
        <IconButton
          className="mo-ModelsSidebar-refresh"
          icon={refreshIcon}
          title={trans.__('Refresh')}
          onClick={state.refresh}
        />
      </SidebarHeader>
      <SearchBox
        className="mo-ModelsSearch"
        value={state.query}
        onChange={state.setQuery}
        placeholder={trans.__('Search models, e.g. mnist')}
      />
      <ResultStatus trans={trans} state={state} empty={empty} />
      <ul className="mo-Sidebar-list mo-CatalogList mo-ModelList" role="list">
        {state.items.map(group => (
          <ModelGroupRow
            key={group.name}
            {...props}
            group={group}
            expanded={open.has(group.name)}
            onToggle={() => toggle(group.name)}
          />
        ))}
      </ul>
    </div>
  );
}

function ModelGroupRow(
  props: IModelsSidebarOptions & {
    group: IModelGroup;
    expanded: boolean;
    onToggle: () => void;
  }
): JSX.Element {
  const { group, expanded, trans } = props;
  const latest = group.versions[0];
  const Caret = expanded ? caretDownIcon : caretRightIcon;
  const count = group.versions.length;
  return (
    <li
      className="mo-ModelGroup"
      data-model={group.name}
      data-expanded={expanded ? 'true' : 'false'}
    >
      <div
        className="mo-Sidebar-row mo-CatalogRow mo-ModelRow"
        data-testid={`mo-model-${group.name}`}
        role="button"
        aria-expanded={expanded}
        title={
          expanded
            ? trans.__('Hide the versions of %1', group.name)
            : trans.__('Show the versions of %1', group.name)
        }
        {...activation(props.onToggle)}
      >
        <div className="mo-CatalogRow-line">
          <Caret.react tag="span" className="mo-ModelRow-caret" />
          <span className="mo-CatalogRow-name">{group.name}</span>
          <span className="mo-CatalogRow-version">v{latest.version}</span>
          <Badge
            kind="framework"
            value={String(latest.framework)}
            label={frameworkLabel(trans, String(latest.framework))}
          />
        </div>
        <div className="mo-CatalogRow-facts mo-ModelRow-facts">
          {count === 1 ? trans.__('1 version') : trans.__('%1 versions', count)}
          {' · '}
          {trans.__('latest %1', formatTime(latest.created))}
        </div>
        {latest.description && (
          <div className="mo-CatalogRow-description">{latest.description}</div>
        )}
      </div>
      {expanded && (
        <ul className="mo-ModelVersions" role="list">
          {group.versions.map(v => (
            <VersionRow key={v.version} {...props} version={v} />
          ))}
        </ul>
      )}
    </li>
  );
}

function VersionRow(
  props: IModelsSidebarOptions & { version: IModelRecord }
): JSX.Element {
  const { version: v, trans, commands } = props;
  const job = v.lineage?.job;
  const open = () =>
    void commands.execute(ModelCommandIDs.openModel, {
      name: v.name,
      version: v.version
    });
  const source =
    v.source === 'manual'
      ? trans.__('registered by hand')
      : job
        ? trans.__('from job %1', job.name || job.id)
        : trans.__('from a job');
  return (
    <li
      className="mo-Sidebar-row mo-ModelVersionRow"
      data-model={v.name}
      data-version={v.version}
      data-source={v.source}
      data-job-id={job?.id}
      data-testid={`mo-model-${v.name}-${v.version}`}
      title={trans.__('Open the details of %1 version %2', v.name, v.version)}
      {...activation(open)}
    >
      <div className="mo-ModelVersionRow-line">
        <span className="mo-ModelVersionRow-version">v{v.version}</span>
        <span className="mo-ModelVersionRow-facts">
          {versionFacts(trans, v, formatBytes, formatTime)}
        </span>
      </div>
      <div className="mo-ModelVersionRow-source">
        {source}
        {v.services && v.services.length > 0 && (
          <span className="mo-ModelVersionRow-services">
            {' · '}
            {trans.__('served by %1', v.services.join(', '))}
          </span>
        )}
      </div>
    </li>
  );
}
