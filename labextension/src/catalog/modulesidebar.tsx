/**
 * The Modules sidebar: search the catalogs' modules as you type; a click
 * opens the module's details tab.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { modulesIcon } from '../icons';
import { IModuleSummary, searchModules } from './api';
import { CatalogCommandIDs } from './ids';
import { Badge, Tags } from './search';
import { CatalogSidebar, ICatalogSidebarOptions } from './sidebar';

export const MODULES_SIDEBAR_ID = 'mo-modules-sidebar';

export class ModulesSidebar extends CatalogSidebar<IModuleSummary> {
  constructor(options: ICatalogSidebarOptions) {
    const { trans } = options;
    super(options, {
      id: MODULES_SIDEBAR_ID,
      kind: 'module',
      icon: modulesIcon,
      title: trans.__('Modules'),
      placeholder: trans.__('Search, e.g. iris'),
      empty: query =>
        query
          ? trans.__('No module matches "%1".', query)
          : trans.__('No modules in the catalogs.'),
      search: searchModules,
      openCommand: CatalogCommandIDs.openModule,
      row: m => <ModuleRow module={m} trans={trans} />
    });
  }
}

function ModuleRow(props: {
  module: IModuleSummary;
  trans: TranslationBundle;
}): JSX.Element {
  const { module: m, trans } = props;
  return (
    <>
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
      <Tags tags={m.tags} />
    </>
  );
}
