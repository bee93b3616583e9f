/**
 * Small pure helpers of the catalog UI (no JupyterLab imports at run time,
 * so the unit tests load them in plain Node).
 */
import type { ModuleAction } from './api';

/** "12.3 MB" style sizes (powers of 1024, like the file browser). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !isFinite(n)) {
    return '';
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** The action of a module's main Insert button: run for toolkits, else predict. */
export function mainAction(m: {
  category: string;
  actions: ModuleAction[];
}): ModuleAction | null {
  const order: ModuleAction[] =
    m.category === 'toolkit' ? ['run', 'predict'] : ['predict', 'run'];
  return order.find(a => m.actions.includes(a)) ?? null;
}

/** "a/b/star-face.tar.gz" -> "star-face". */
export function archiveStem(path: string): string {
  const base = path.split('/').pop() ?? path;
  return base.replace(/\.(zip|tar\.gz|tgz|tar)$/i, '') || base;
}

/** The DOM id of a details tab: "mo-module-mo_iris_classifier". */
export function detailsWidgetId(
  kind: 'module' | 'dataset',
  id: string
): string {
  return `mo-${kind}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * The server's 409 "exists" message ("'sub/modules/x' already holds mo/y
 * 1.0.0; ...") as [target, what it holds], or null.
 */
export function parseExists(message: string): [string, string] | null {
  const m = /^'([^']+)' already holds (.+?)(?:;[^]*)?$/.exec(message.trim());
  return m ? [m[1], m[2]] : null;
}
