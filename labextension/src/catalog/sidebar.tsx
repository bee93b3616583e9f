/**
 * The searchable catalog sidebar that the Modules and Datasets sidebars
 * are made of: header (title, buttons), search box, result status, and the
 * list; a click or Enter on a row runs the open command with its id.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { LabIcon, ReactWidget, refreshIcon } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { IconButton, SidebarHeader, activation } from '../components';
import { IListing } from './api';
import { CatalogEvents, ResultStatus, SearchBox, useSearch } from './search';

/** What the application hands a catalog sidebar. */
export interface ICatalogSidebarOptions {
  commands: CommandRegistry;
  trans: TranslationBundle;
  events: CatalogEvents;
}

/** What makes a sidebar the Modules or the Datasets one. */
export interface ICatalogKind<T extends { id: string }> {
  /** The widget's DOM id. */
  id: string;
  /** 'module' / 'dataset': row classes mo-ModuleRow, test ids mo-module-<id>. */
  kind: 'module' | 'dataset';
  icon: LabIcon;
  title: string;
  placeholder: string;
  /** The status line of an empty result. */
  empty: (query: string) => string;
  search: (query: string) => Promise<IListing<T>>;
  /** Run with `{ id }` on a click on a row. */
  openCommand: string;
  /** Buttons before Refresh in the header. */
  buttons?: React.ReactNode;
  /** More data-* attributes of a row. */
  rowData?: (item: T) => Record<string, string | undefined>;
  /** A row's content. */
  row: (item: T) => React.ReactNode;
}

const capital = (kind: string) => kind[0].toUpperCase() + kind.slice(1);

export class CatalogSidebar<T extends { id: string }> extends ReactWidget {
  constructor(
    private _options: ICatalogSidebarOptions,
    private _kind: ICatalogKind<T>
  ) {
    super();
    this.id = _kind.id;
    this.addClass('mo-Sidebar');
    this.addClass('mo-CatalogSidebar');
    this.addClass(`mo-${capital(_kind.kind)}sSidebar`);
    this.title.icon = _kind.icon;
    this.title.caption = _kind.title;
  }

  render(): JSX.Element {
    return <CatalogPanel {...this._options} {...this._kind} />;
  }
}

function CatalogPanel<T extends { id: string }>(
  props: ICatalogSidebarOptions & ICatalogKind<T>
): JSX.Element {
  const { trans, commands, events, kind } = props;
  const Kind = capital(kind);
  const state = useSearch<T>(props.search, events);
  return (
    <div
      className="mo-CatalogSidebar-content"
      data-loading={state.loading ? 'true' : 'false'}
      data-generation={state.generation}
      data-query={state.query}
    >
      <SidebarHeader prefix="mo-CatalogSidebar" title={props.title}>
        {props.buttons}
        <IconButton
          className="mo-CatalogSidebar-refresh"
          icon={refreshIcon}
          title={trans.__('Refresh')}
          onClick={state.refresh}
        />
      </SidebarHeader>
      <SearchBox
        className={`mo-${Kind}sSearch`}
        value={state.query}
        onChange={state.setQuery}
        placeholder={props.placeholder}
      />
      <ResultStatus
        trans={trans}
        state={state}
        empty={props.empty(state.query)}
      />
      <ul
        className={`mo-Sidebar-list mo-CatalogList mo-${Kind}List`}
        role="list"
      >
        {state.items.map(item => (
          <li
            key={item.id}
            className={`mo-Sidebar-row mo-CatalogRow mo-${Kind}Row`}
            data-id={item.id}
            {...props.rowData?.(item)}
            data-testid={`mo-${kind}-${item.id}`}
            title={trans.__('Open the details of %1', item.id)}
            {...activation(
              () => void commands.execute(props.openCommand, { id: item.id })
            )}
          >
            {props.row(item)}
          </li>
        ))}
      </ul>
    </div>
  );
}
