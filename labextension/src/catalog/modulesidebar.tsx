/**
 * The Modules sidebar: search the catalogs' modules as you type; a click
 * opens the module's details tab; + makes a new module.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IconButton } from '../components';
import { modulesIcon } from '../icons';
import { IModuleSummary, searchModules } from './api';
import { CatalogCommandIDs } from './ids';
import { statusLabel } from './labels';
import { NEW_MODULE_COMMAND } from './newmodule';
import { Badge, Tags } from './search';
import { CatalogSidebar, ICatalogSidebarOptions } from './sidebar';

export const MODULES_SIDEBAR_ID = 'mo-modules-sidebar';

export class ModulesSidebar extends CatalogSidebar<IModuleSummary> {
  constructor(options: ICatalogSidebarOptions) {
    const { trans, commands } = options;
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
      buttons: (
        <IconButton
          className="mo-ModulesSidebar-new"
          testId="mo-module-new"
          icon={addIcon}
          title={trans.__('New module')}
          onClick={() => void commands.execute(NEW_MODULE_COMMAND)}
        />
      ),
      rowData: m => ({ 'data-status': m.status }),
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
        {m.status === 'offline' && (
          <Badge
            kind="status"
            value="offline"
            label={statusLabel(trans, 'offline')}
            title={trans.__('Offline: only you see it')}
          />
        )}
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
