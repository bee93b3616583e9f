/**
 * The Datasets sidebar: search, the list (status, purpose, format, size),
 * and the New dataset button; a click opens the dataset's details tab.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, addIcon, refreshIcon } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { datasetsIcon } from '../icons';
import { IDatasetSummary, searchDatasets } from './api';
import { purposeLabel, statusLabel } from './labels';
import { CatalogCommandIDs } from './ids';
import {
  Badge,
  CatalogEvents,
  ResultStatus,
  SearchBox,
  useSearch
} from './search';
import { formatBytes } from './util';

export interface IDatasetsSidebarOptions {
  commands: CommandRegistry;
  trans: TranslationBundle;
  events: CatalogEvents;
}

export const DATASETS_SIDEBAR_ID = 'mo-datasets-sidebar';

export class DatasetsSidebar extends ReactWidget {
  constructor(private _options: IDatasetsSidebarOptions) {
    super();
    this.id = DATASETS_SIDEBAR_ID;
    this.addClass('mo-CatalogSidebar');
    this.addClass('mo-DatasetsSidebar');
    this.title.icon = datasetsIcon;
    this.title.caption = _options.trans.__('Datasets');
  }

  render(): JSX.Element {
    return <DatasetsPanel {...this._options} />;
  }
}

function DatasetsPanel(props: IDatasetsSidebarOptions): JSX.Element {
  const { trans, commands, events } = props;
  const state = useSearch<IDatasetSummary>(q => searchDatasets(q), events);
  const open = (d: IDatasetSummary) =>
    void commands.execute(CatalogCommandIDs.openDataset, { id: d.id });
  return (
    <div
      className="mo-CatalogSidebar-content"
      data-loading={state.loading ? 'true' : 'false'}
      data-generation={state.generation}
      data-query={state.query}
    >
      <div className="mo-CatalogSidebar-header">
        <h2 className="mo-CatalogSidebar-title">{trans.__('Datasets')}</h2>
        <button
          className="jp-Button jp-mod-minimal mo-IconButton mo-DatasetsSidebar-new"
          data-testid="mo-dataset-new"
          title={trans.__('New dataset')}
          aria-label={trans.__('New dataset')}
          onClick={() => void commands.execute(CatalogCommandIDs.newDataset)}
        >
          <addIcon.react tag="span" elementSize="normal" />
        </button>
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
        className="mo-DatasetsSearch"
        value={state.query}
        onChange={state.setQuery}
        placeholder={trans.__('Search, e.g. mnist')}
      />
      <ResultStatus
        trans={trans}
        state={state}
        empty={
          state.query
            ? trans.__('No dataset matches "%1".', state.query)
            : trans.__('No datasets yet: create one with +.')
        }
      />
      <ul className="mo-CatalogList mo-DatasetList" role="list">
        {state.items.map(d => (
          <li
            key={d.id}
            className="mo-CatalogRow mo-DatasetRow"
            data-id={d.id}
            data-status={d.status}
            data-testid={`mo-dataset-${d.id}`}
            tabIndex={0}
            title={trans.__('Open the details of %1', d.id)}
            onClick={() => open(d)}
            onKeyDown={e => {
              if (e.key === 'Enter') {
                open(d);
              }
            }}
          >
            <div className="mo-CatalogRow-line">
              <span className="mo-CatalogRow-name">{d.name}</span>
              <Badge
                kind="status"
                value={d.status ?? 'offline'}
                label={statusLabel(trans, d.status ?? 'offline')}
              />
              <Badge
                kind="catalog"
                value={d.catalog}
                title={trans.__('Catalog: %1', d.catalog)}
              />
            </div>
            <div className="mo-CatalogRow-owner">{d.owner}</div>
            <div className="mo-CatalogRow-facts">
              {[
                d.purpose ? purposeLabel(trans, d.purpose) : '',
                d.format ?? '',
                formatBytes(d.size),
                trans.__('%1 files', d.file_count)
              ]
                .filter(Boolean)
                .join(' · ')}
            </div>
            {d.description && (
              <div className="mo-CatalogRow-description">{d.description}</div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
