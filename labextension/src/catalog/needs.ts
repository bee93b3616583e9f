/**
 * What inserted module code needs beside the notebook (pure, testable without
 * a DOM): the catalog datasets its defaults read. Inserting the dataset
 * `owner/name` puts it at `<notebook folder>/datasets/<owner>-<name>/`, so a
 * default such as `datasets/mo-text_zh_en` reads the dataset `mo/text_zh_en`.
 */
import type { IParam } from './api';

/**
 * The dataset folders that an action's defaults read: a default such as
 * `datasets/mo-text_zh_en` or `./datasets/mo-mnist/mnist.npz` names the
 * folder `mo-text_zh_en` / `mo-mnist` (where inserting a dataset puts it).
 */
export function datasetFolders(params: IParam[]): string[] {
  const folders: string[] = [];
  for (const p of params) {
    const m =
      typeof p.default_value === 'string'
        ? /^(?:\.\/)?datasets\/([A-Za-z0-9][A-Za-z0-9_.-]*-[A-Za-z0-9][A-Za-z0-9_.-]*)(?:\/|$)/.exec(
            p.default_value
          )
        : null;
    if (m && !folders.includes(m[1])) {
      folders.push(m[1]);
    }
  }
  return folders;
}

/** `mo-text_zh_en` -> the ids it may stand for (`mo/text_zh_en`; one per '-'). */
export function datasetIdsOf(folder: string): string[] {
  const ids: string[] = [];
  for (let i = folder.indexOf('-'); i > 0; i = folder.indexOf('-', i + 1)) {
    if (i < folder.length - 1) {
      ids.push(`${folder.slice(0, i)}/${folder.slice(i + 1)}`);
    }
  }
  return ids;
}
