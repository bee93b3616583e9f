/**
 * The files a deployment may take along, from the notebook folder's listing.
 * With the scan's `files` (the paths the handle reads, found statically), those
 * are checked, and listed even when they lie deeper than the listing; without
 * them (no scan answer), each file of results/ is checked as before. modules/
 * is checked (the seeds' modules); datasets/ and the folder's other entries are
 * offered unchecked. handler.py, app_spec.yml, notebooks and hidden entries
 * are not offered (the service takes the first two anyway). Pure.
 */
import type { IEntry } from './api';

export interface IFileChoice {
  /** Relative to the notebook's folder; folders end with '/'. */
  path: string;
  checked: boolean;
}

const SKIP = new Set(['handler.py', 'app_spec.yml', 'results', '__pycache__']);

function hidden(name: string): boolean {
  return name.startsWith('.') || name.endsWith('.ipynb');
}

/**
 * The scan's project-relative `files` made relative to the notebook's folder
 * ('' = the project root); those outside the folder are dropped.
 */
export function folderRelative(files: string[], folder: string): string[] {
  const base = folder.replace(/^\/+|\/+$/g, '');
  if (!base) {
    return [...files];
  }
  return files
    .filter(f => f.startsWith(`${base}/`))
    .map(f => f.slice(base.length + 1))
    .filter(f => f.length > 0);
}

export function fileChoices(
  top: IEntry[],
  results: IEntry[],
  reads?: string[]
): IFileChoice[] {
  const wanted = new Set((reads ?? []).map(r => r.replace(/\/+$/, '')));
  const isRead = (path: string) => wanted.has(path.replace(/\/+$/, ''));
  const out: IFileChoice[] = results
    .filter(e => !hidden(e.name))
    .map(e => {
      const path = `results/${e.name}${e.dir ? '/' : ''}`;
      return { path, checked: reads === undefined || isRead(path) };
    });
  for (const e of top) {
    if (hidden(e.name) || SKIP.has(e.name)) {
      continue;
    }
    const path = e.dir ? `${e.name}/` : e.name;
    out.push({
      path,
      checked: (e.dir && e.name === 'modules') || isRead(path)
    });
  }
  const listed = new Set(out.map(c => c.path.replace(/\/+$/, '')));
  for (const path of wanted) {
    if (!listed.has(path) && !SKIP.has(path)) {
      out.push({ path, checked: true });
    }
  }
  const rank = (c: IFileChoice) =>
    (c.checked ? 0 : 2) + (c.path.endsWith('/') ? 0 : 1);
  return out.sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
}

/** The checked paths, for POST services `files`. */
export function checkedFiles(choices: IFileChoice[]): string[] {
  return choices.filter(c => c.checked).map(c => c.path);
}

/** The user's ticks over the offered choices (paths not offered are ignored). */
export function applyTicks(
  choices: IFileChoice[],
  ticks: ReadonlyMap<string, boolean>
): IFileChoice[] {
  return choices.map(c =>
    ticks.has(c.path) ? { ...c, checked: ticks.get(c.path)! } : c
  );
}
