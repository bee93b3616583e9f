/**
 * The deploy wizard's state for one notebook: the scan (re-run when the cell
 * selection changes, stale answers dropped), the cells' sources, the
 * handler.py text (generated until the user edits it), the spec edits, the
 * invalid fields, and the files to include.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';
import * as React from 'react';

import { errorMessage } from '../api';
import {
  IParam,
  IScanResult,
  ISpec,
  Side,
  listProjectFiles,
  readCellSources,
  scanHandle
} from './api';
import { IFileChoice, fileChoices, folderRelative } from './files';
import { buildHandler } from './handler';
import {
  SpecEdits,
  applyEdits,
  blockingErrors,
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
  handlerEdited: boolean;
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
  const [files, setFiles] = React.useState<IFileChoice[]>([]);
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
    // pre-checked: what the handle reads (scan `files`); results/* if no scan
    void Promise.all([listProjectFiles(contents, folder), scanned]).then(
      ([{ top, results }, result]) =>
        live &&
        setFiles(
          fileChoices(
            top,
            results,
            result?.files ? folderRelative(result.files, folder) : undefined
          )
        )
    );
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
  const spec = applyEdits(scan?.spec ?? { input: {}, output: {} }, edits);
  const blockingList = blockingErrors(scan?.problems ?? [], spec, edits);
  const blocking = blockingList.length + invalid.size;

  return {
    loading,
    loadError,
    scan,
    sources,
    selected,
    handler,
    handlerEdited: handlerText !== null,
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
    setFile: (p, checked) =>
      setFiles(fs => fs.map(f => (f.path === p ? { ...f, checked } : f)))
  };
}
