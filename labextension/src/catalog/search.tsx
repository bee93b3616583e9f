/**
 * What the Modules and Datasets sidebars share: a debounced search against
 * the server, a search box, small formatting helpers, and the signal that
 * tells every view the catalog changed.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { errorMessage } from '../api';
import { IListing } from './api';

export const SEARCH_DELAY_MS = 150;

/** Emitted after any change to the catalog made from this page. */
export class CatalogEvents {
  get changed(): ISignal<this, string> {
    return this._changed;
  }
  /** `what`: the id of the changed dataset / module, or '' for "anything". */
  emit(what = ''): void {
    this._changed.emit(what);
  }
  private _changed = new Signal<this, string>(this);
}

export interface ISearchState<T> {
  query: string;
  setQuery: (q: string) => void;
  items: T[];
  total: number;
  loading: boolean;
  error: string | null;
  /** Increases with every answer (tests read it as data-generation). */
  generation: number;
  refresh: () => void;
}

/**
 * Search as the user types: one request `delay` ms after the last key, and
 * answers to older queries are dropped. `events` re-runs the current query.
 */
export function useSearch<T>(
  search: (q: string) => Promise<IListing<T>>,
  events: CatalogEvents,
  delay = SEARCH_DELAY_MS
): ISearchState<T> {
  const [query, setQuery] = React.useState('');
  const [tick, setTick] = React.useState(0);
  const [state, setState] = React.useState({
    items: [] as T[],
    total: 0,
    loading: true,
    error: null as string | null,
    generation: 0
  });
  const latest = React.useRef(0);
  const refresh = React.useCallback(() => setTick(t => t + 1), []);

  React.useEffect(() => {
    const onChange = () => refresh();
    events.changed.connect(onChange);
    return () => {
      events.changed.disconnect(onChange);
    };
  }, [events, refresh]);

  React.useEffect(() => {
    const ticket = ++latest.current;
    setState(s => ({ ...s, loading: true }));
    const timer = window.setTimeout(
      () => {
        search(query.trim()).then(
          data => {
            if (ticket === latest.current) {
              setState(s => ({
                items: data.items,
                total: data.total,
                loading: false,
                error: null,
                generation: s.generation + 1
              }));
            }
          },
          err => {
            if (ticket === latest.current) {
              setState(s => ({
                ...s,
                loading: false,
                error: errorMessage(err),
                generation: s.generation + 1
              }));
            }
          }
        );
      },
      tick === 0 && query === '' ? 0 : delay
    );
    return () => window.clearTimeout(timer);
  }, [query, tick]);

  return { query, setQuery, refresh, ...state };
}

export function SearchBox(props: {
  value: string;
  onChange: (q: string) => void;
  placeholder: string;
  className: string;
}): JSX.Element {
  return (
    <div className={`mo-CatalogSearch ${props.className}`}>
      <input
        type="search"
        className="jp-mod-styled mo-CatalogSearch-input"
        data-testid="mo-catalog-search"
        value={props.value}
        placeholder={props.placeholder}
        aria-label={props.placeholder}
        onChange={e => props.onChange(e.currentTarget.value)}
      />
    </div>
  );
}

/** The status line under a result list: count, loading, error. */
export function ResultStatus(props: {
  trans: TranslationBundle;
  state: ISearchState<unknown>;
  empty: string;
}): JSX.Element | null {
  const { trans, state } = props;
  if (state.error !== null) {
    return (
      <div className="mo-Catalog-error" role="alert">
        {trans.__('Search failed: %1', state.error)}
      </div>
    );
  }
  if (!state.loading && state.items.length === 0) {
    return <div className="mo-Catalog-empty">{props.empty}</div>;
  }
  if (state.total > state.items.length) {
    return (
      <div className="mo-Catalog-more">
        {trans.__(
          'Showing %1 of %2: refine the search to see the rest.',
          state.items.length,
          state.total
        )}
      </div>
    );
  }
  return null;
}

/** A small coloured label (catalog, status, permission). */
export function Badge(props: {
  kind: string;
  value: string;
  label?: string;
  title?: string;
}): JSX.Element {
  return (
    <span
      className={`mo-Badge mo-Badge-${props.kind} mo-mod-${props.value}`}
      data-value={props.value}
      title={props.title}
    >
      {props.label ?? props.value}
    </span>
  );
}
