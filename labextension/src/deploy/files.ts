/**
 * The files a deployment may take along, from the notebook folder's listing:
 * each file of results/ and the modules/ folder are checked by default (the
 * seeds' model and modules); datasets/ and the folder's other entries are
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

export function fileChoices(top: IEntry[], results: IEntry[]): IFileChoice[] {
  const out: IFileChoice[] = results
    .filter(e => !hidden(e.name))
    .map(e => ({
      path: `results/${e.name}${e.dir ? '/' : ''}`,
      checked: true
    }));
  for (const e of top) {
    if (hidden(e.name) || SKIP.has(e.name)) {
      continue;
    }
    const path = e.dir ? `${e.name}/` : e.name;
    out.push({ path, checked: e.dir && e.name === 'modules' });
  }
  const rank = (c: IFileChoice) =>
    (c.checked ? 0 : 2) + (c.path.endsWith('/') ? 0 : 1);
  return out.sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
}

/** The checked paths, for POST services `files`. */
export function checkedFiles(choices: IFileChoice[]): string[] {
  return choices.filter(c => c.checked).map(c => c.path);
}
