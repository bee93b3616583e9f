/**
 * What the Modules and Datasets sidebars share: a debounced search against
 * the server, a search box, badges and tags, and the signal that tells
 * every view the catalog changed.
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

/**
 * A counter that grows with every catalog change (only those of `id` and
 * "anything" when `id` is given) and with every call of the returned
 * refresh: a dependency for effects that load.
 */
export function useChangeTick(
  events: CatalogEvents,
  id?: string
): [number, () => void] {
  const [tick, setTick] = React.useState(0);
  const refresh = React.useCallback(() => setTick(t => t + 1), []);
  React.useEffect(() => {
    const onChange = (_: unknown, what: string) => {
      if (id === undefined || !what || what === id) {
        refresh();
      }
    };
    events.changed.connect(onChange);
    return () => {
      events.changed.disconnect(onChange);
    };
  }, [events, id, refresh]);
  return [tick, refresh];
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
  const [tick, refresh] = useChangeTick(events);
  const [state, setState] = React.useState({
    items: [] as T[],
    total: 0,
    loading: true,
    error: null as string | null,
    generation: 0
  });
  const latest = React.useRef(0);

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
      <CatalogError>{trans.__('Search failed: %1', state.error)}</CatalogError>
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

/** A module's or dataset's tags (nothing when it has none). */
export function Tags(props: {
  tags: string[] | undefined;
}): JSX.Element | null {
  const tags = props.tags ?? [];
  if (!tags.length) {
    return null;
  }
  return (
    <div className="mo-CatalogRow-tags">
      {tags.map(t => (
        <span key={t} className="mo-Tag">
          {t}
        </span>
      ))}
    </div>
  );
}

/** An error box of the catalog's views. */
export function CatalogError(props: { children: string }): JSX.Element {
  return (
    <div className="mo-Message mo-mod-error mo-Catalog-error" role="alert">
      {props.children}
    </div>
  );
}
