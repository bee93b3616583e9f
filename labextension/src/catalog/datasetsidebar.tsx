/**
 * The Datasets sidebar: search, the list (status, purpose, format, size),
 * and the New dataset button; a click opens the dataset's details tab.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IconButton } from '../components';
import { datasetsIcon } from '../icons';
import { IDatasetSummary, searchDatasets } from './api';
import { purposeLabel, statusLabel } from './labels';
import { CatalogCommandIDs } from './ids';
import { Badge } from './search';
import { CatalogSidebar, ICatalogSidebarOptions } from './sidebar';
import { formatBytes } from './util';

export const DATASETS_SIDEBAR_ID = 'mo-datasets-sidebar';

export class DatasetsSidebar extends CatalogSidebar<IDatasetSummary> {
  constructor(options: ICatalogSidebarOptions) {
    const { trans, commands } = options;
    super(options, {
      id: DATASETS_SIDEBAR_ID,
      kind: 'dataset',
      icon: datasetsIcon,
      title: trans.__('Datasets'),
      placeholder: trans.__('Search, e.g. mnist'),
      empty: query =>
        query
          ? trans.__('No dataset matches "%1".', query)
          : trans.__('No datasets yet: create one with +.'),
      search: searchDatasets,
      openCommand: CatalogCommandIDs.openDataset,
      buttons: (
        <IconButton
          className="mo-DatasetsSidebar-new"
          testId="mo-dataset-new"
          icon={addIcon}
          title={trans.__('New dataset')}
          onClick={() => void commands.execute(CatalogCommandIDs.newDataset)}
        />
      ),
      rowData: d => ({ 'data-status': d.status }),
      row: d => <DatasetRow dataset={d} trans={trans} />
    });
  }
}

function DatasetRow(props: {
  dataset: IDatasetSummary;
  trans: TranslationBundle;
}): JSX.Element {
  const { dataset: d, trans } = props;
  return (
    <>
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
    </>
  );
}
