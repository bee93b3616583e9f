/**
 * The Modules sidebar: search the catalogs' modules as you type; a click
 * opens the module's details tab.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, refreshIcon } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { modulesIcon } from '../icons';
import { IModuleSummary, searchModules } from './api';
import { CatalogCommandIDs } from './ids';
import {
  Badge,
  CatalogEvents,
  ResultStatus,
  SearchBox,
  useSearch
} from './search';

export interface IModulesSidebarOptions {
  commands: CommandRegistry;
  trans: TranslationBundle;
  events: CatalogEvents;
}

export const MODULES_SIDEBAR_ID = 'mo-modules-sidebar';

export class ModulesSidebar extends ReactWidget {
  constructor(private _options: IModulesSidebarOptions) {
    super();
    this.id = MODULES_SIDEBAR_ID;
    this.addClass('mo-CatalogSidebar');
    this.addClass('mo-ModulesSidebar');
    this.title.icon = modulesIcon;
    this.title.caption = _options.trans.__('Modules');
  }

  render(): JSX.Element {
    return <ModulesPanel {...this._options} />;
  }
}

function ModulesPanel(props: IModulesSidebarOptions): JSX.Element {
  const { trans, commands, events } = props;
  const state = useSearch<IModuleSummary>(q => searchModules(q), events);
  const open = (m: IModuleSummary) =>
    void commands.execute(CatalogCommandIDs.openModule, { id: m.id });
  return (
    <div
      className="mo-CatalogSidebar-content"
      data-loading={state.loading ? 'true' : 'false'}
      data-generation={state.generation}
      data-query={state.query}
    >
      <div className="mo-CatalogSidebar-header">
        <h2 className="mo-CatalogSidebar-title">{trans.__('Modules')}</h2>
        <button
          className="jp-Button jp-mod-minimal mo-IconButton mo-CatalogSidebar-refresh"
          title={trans.__('Refresh')}
          aria-label={trans.__('Refresh')}
          onClick={state.refresh}
        >
          <refreshIcon.react tag="span" elementSize="normal" />
        </button>
      </div>
      <SearchBox
        className="mo-ModulesSearch"
        value={state.query}
        onChange={state.setQuery}
        placeholder={trans.__('Search, e.g. iris')}
      />
      <ResultStatus
        trans={trans}
        state={state}
        empty={
          state.query
            ? trans.__('No module matches "%1".', state.query)
            : trans.__('No modules in the catalogs.')
        }
      />
      <ul className="mo-CatalogList mo-ModuleList" role="list">
        {state.items.map(m => (
          <ModuleRow key={m.id} module={m} trans={trans} onOpen={open} />
        ))}
      </ul>
    </div>
  );
}

function ModuleRow(props: {
  module: IModuleSummary;
  trans: TranslationBundle;
  onOpen: (m: IModuleSummary) => void;
}): JSX.Element {
  const { module: m, trans, onOpen } = props;
  return (
    <li
      className="mo-CatalogRow mo-ModuleRow"
      data-id={m.id}
      data-testid={`mo-module-${m.id}`}
      tabIndex={0}
      title={trans.__('Open the details of %1', m.id)}
      onClick={() => onOpen(m)}
      onKeyDown={e => {
        if (e.key === 'Enter') {
          onOpen(m);
        }
      }}
    >
      <div className="mo-CatalogRow-line">
        <span className="mo-CatalogRow-name">{m.name}</span>
        <span className="mo-CatalogRow-version">{m.version}</span>
        <Badge
          kind="catalog"
          value={m.catalog}
          title={trans.__('Catalog: %1', m.catalog)}
        />
      </div>
      <div className="mo-CatalogRow-owner">
        {m.owner}
        {m.category === 'toolkit' ? ` · ${trans.__('toolkit')}` : ''}
      </div>
      {m.description && (
        <div className="mo-CatalogRow-description">{m.description}</div>
      )}
      {m.tags.length > 0 && (
        <div className="mo-CatalogRow-tags">
          {m.tags.map(t => (
            <span key={t} className="mo-Tag">
              {t}
            </span>
          ))}
        </div>
      )}
    </li>
  );
}
