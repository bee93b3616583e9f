/**
 * The deploy wizard's state for one notebook: the scan (re-run when the cell
 * selection changes, stale answers dropped), the cells' sources, the
 * handler.py text (generated until the user edits it; once edited, its own
 * scan gives the spec, the problems and the files the handle reads), the spec
 * edits, the invalid fields, and the files to include (the scan's reads
 * checked, the user's ticks on top).
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';
import * as React from 'react';

import { errorMessage } from '../api';
import {
  IEntry,
  IParam,
  IProblem,
  IScanResult,
  ISpec,
  Side,
  listProjectFiles,
  readCellSources,
  scanHandle
} from './api';
import { IFileChoice, applyTicks, fileChoices, folderRelative } from './files';
import { buildHandler } from './handler';
import { useHandlerScan } from './handlerscan';
import {
  SpecEdits,
  applyEdits,
  blockingErrors,
  codeErrors,
  editField,
  emptyEdits
} from './spec';

export interface IWizardState {
  loading: boolean;
  loadError: string;
  scan: IScanResult | null;
  sources: Map<number, string>;
  selected: number[];
  handler: string;
  /** The text differs from what the selected cells generate. */
  handlerEdited: boolean;
  /** The edited text's scan is not in yet. */
  handlerPending: boolean;
  /** The notebook scan's code errors: they block Next on the cells step. */
  cellErrors: IProblem[];
  /** The edited handler.py's code errors (or why it cannot be scanned). */
  handlerErrors: IProblem[];
  /** The problems of what step 3 shows: the edited text's, else the cells'. */
  problems: IProblem[];
  spec: ISpec;
  edits: SpecEdits;
  blocking: number;
  files: IFileChoice[];
  folder: string;
  /** A key of everything the written files depend on. */
  fingerprint: string;
  reload: () => void;
  setSelected: (cells: number[]) => void;
  setHandler: (text: string | null) => void;
  edit: (side: Side, key: string, field: keyof IParam, value: unknown) => void;
  setInvalid: (field: string, invalid: boolean) => void;
  setFile: (path: string, checked: boolean) => void;
}

export function useWizardState(
  path: string,
  contents: Contents.IManager,
  generation: number
): IWizardState & { blockingList: ReturnType<typeof blockingErrors> } {
  const [loading, setLoading] = React.useState(true);
  const [loadError, setLoadError] = React.useState('');
  const [scan, setScan] = React.useState<IScanResult | null>(null);
  const [sources, setSources] = React.useState(new Map<number, string>());
  const [selected, setSelectedState] = React.useState<number[]>([]);
  const [handlerText, setHandlerText] = React.useState<string | null>(null);
  const [edits, setEdits] = React.useState<SpecEdits>(emptyEdits());
  const [invalid, setInvalidState] = React.useState<Set<string>>(new Set());
  const [listing, setListing] = React.useState<{
    top: IEntry[];
    results: IEntry[];
  } | null>(null);
  const [ticks, setTicks] = React.useState(new Map<string, boolean>());
  const [reloads, setReloads] = React.useState(0);
  const seq = React.useRef(0);
  const folder = PathExt.dirname(path);

  const runScan = (cells?: number[]) => {
    const mine = ++seq.current;
    setLoading(true);
    return scanHandle(path, cells).then(
      result => {
        if (mine === seq.current) {
          setScan(result);
          setLoadError('');
          setLoading(false);
        }
        return result;
      },
      err => {
        if (mine === seq.current) {
          setLoadError(errorMessage(err));
          setLoading(false);
        }
        return null;
      }
    );
  };

  // (re)load: sources, default selection, files
  React.useEffect(() => {
    let live = true;
    setEdits(emptyEdits());
    setHandlerText(null);
    setInvalidState(new Set());
    setTicks(new Map());
    void readCellSources(contents, path)
      .then(s => live && setSources(s))
      .catch(err => live && setLoadError(errorMessage(err)));
    const scanned = runScan();
    void scanned.then(result => {
      if (live && result) {
        setSelectedState(
          result.cells.filter(c => c.selected).map(c => c.index)
        );
      }
    });
    void listProjectFiles(contents, folder).then(l => live && setListing(l));
    return () => {
      live = false;
    };
  }, [path, generation, reloads]);

  const setSelected = (cells: number[]) => {
    const sorted = [...new Set(cells)].sort((a, b) => a - b);
    setSelectedState(sorted);
    void runScan(sorted);
  };

  const magic = new Map((scan?.cells ?? []).map(c => [c.index, c.magic]));
  const generated = buildHandler(
    [...sources.entries()].map(([index, source]) => ({
      index,
      source,
      magic: magic.get(index) ?? false
    })),
    selected
  );
  const handler = handlerText ?? generated;
  const edited = handlerText !== null && handlerText !== generated;
  const own = useHandlerScan(path, edited ? handlerText : null);
  const current = edited ? own.scan : scan;
  const problems = current?.problems ?? [];
  const spec = applyEdits(current?.spec ?? { input: {}, output: {} }, edits);
  const blockingList = blockingErrors(problems, spec, edits);
  const blocking = blockingList.length + invalid.size;
  const handlerErrors = !edited
    ? []
    : own.error
      ? [
          {
            severity: 'error' as const,
            message: own.error,
            cell: null,
            line: null
          }
        ]
      : own.pending
        ? []
        : codeErrors(problems);
  // pre-checked: what the handle reads (the scan's `files`); results/* if no scan
  const reads = current?.files
    ? folderRelative(current.files, folder)
    : undefined;
  const files: IFileChoice[] = listing
    ? applyTicks(fileChoices(listing.top, listing.results, reads), ticks)
    : [];

  return {
    loading,
    loadError,
    scan,
    sources,
    selected,
    handler,
    handlerEdited: edited,
    handlerPending: edited && own.pending,
    cellErrors: codeErrors(scan?.problems ?? []),
    handlerErrors,
    problems,
    spec,
    edits,
    blocking,
    blockingList,
    files,
    folder,
    fingerprint: JSON.stringify([selected, handlerText, spec]),
    reload: () => setReloads(n => n + 1),
    setSelected,
    setHandler: setHandlerText,
    edit: (side, key, field, value) =>
      setEdits(e => editField(e, side, key, field, value)),
    setInvalid: (field, bad) =>
      setInvalidState(s => {
        if (s.has(field) === bad) {
          return s;
        }
        const next = new Set(s);
        if (bad) {
          next.add(field);
        } else {
          next.delete(field);
        }
        return next;
      }),
    setFile: (p, checked) => setTicks(t => new Map(t).set(p, checked))
  };
}
