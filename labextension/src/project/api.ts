/**
 * Project templates (the seeds' 新建项目): the REST calls and the pure
 * helpers of the New Project dialog (language, unique folder names, paths).
 */
import { requestAPI } from '../api';

export interface IBilingual {
  en: string;
  zh: string;
}

export interface IProjectTemplate {
  name: string;
  title: IBilingual;
  description: IBilingual;
  /** The folder name to suggest. */
  folder: string;
  /** The notebook to open first, relative to the project folder. */
  open: string;
  files: string[];
  examples: string[];
  datasets: string[];
  modules: string[];
}

export interface IProjectMade {
  template: string;
  /** The project folder, relative to the root ('.' for the root itself). */
  path: string;
  /** The notebook to open, relative to the root. */
  open: string;
  files: string[];
  datasets: string[];
  modules: string[];
}

export async function listTemplates(): Promise<IProjectTemplate[]> {
  const reply = await requestAPI<{ templates: IProjectTemplate[] }>(
    'projects/templates'
  );
  return reply.templates;
}

export function createProject(
  template: string,
  path: string
): Promise<IProjectMade> {
  return requestAPI<IProjectMade>('projects', {
    method: 'POST',
    body: JSON.stringify({ template, path }),
    headers: { 'Content-Type': 'application/json' }
  });
}

/** 'zh' when JupyterLab speaks Chinese (languageCode zh*), else 'en'. */
export function templateLanguage(
  languageCode: string | null | undefined
): 'en' | 'zh' {
  return /^zh/i.test(languageCode ?? '') ? 'zh' : 'en';
}

/** `base`, else `base-2`, `base-3`, ...: the first name not in `taken`. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const names = new Set(taken);
  if (!names.has(base)) {
    return base;
  }
  for (let i = 2; ; i++) {
    const name = `${base}-${i}`;
    if (!names.has(name)) {
      return name;
    }
  }
}

/** A folder name typed by the user, below the file browser's folder `cwd`. */
export function projectPath(cwd: string, name: string): string {
  const clean = name.trim().replace(/^\/+|\/+$/g, '');
  const dir = cwd.replace(/^\/+|\/+$/g, '');
  return dir ? `${dir}/${clean}` : clean;
}
