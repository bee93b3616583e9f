/**
 * The New module form's values and their conversion to the request
 * (catalog_requests#module_new): typed defaults, the class name.
 */
import { INewModuleForm, INewParam, ModuleAction } from './api';

export const ACTIONS: ModuleAction[] = ['predict', 'train', 'run'];
export const NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

export interface IParamRow {
  name: string;
  value_type: string;
  /** As typed; converted by `typedDefault`. */
  default_value: string;
}

export interface INewModuleValues {
  name: string;
  folder: string;
  description: string;
  category: 'model' | 'toolkit';
  actions: ModuleAction[];
  inputs: { [K in ModuleAction]: IParamRow[] };
  outputs: { [K in ModuleAction]: IParamRow[] };
}

export function initialValues(folder: string): INewModuleValues {
  return {
    name: '',
    folder,
    description: '',
    category: 'model',
    actions: ['predict'],
    inputs: { predict: [], train: [], run: [] },
    outputs: { predict: [], train: [], run: [] }
  };
}

/** `iris_classifier` -> `IrisClassifier`, as the server's class_name(). */
export function className(name: string): string {
  return (
    name
      .split('_')
      .filter(p => p)
      .map(p => p[0].toUpperCase() + p.slice(1))
      .join('') || 'Module'
  );
}

/** A default as typed, in its parameter's type (undefined when empty). */
export function typedDefault(text: string, type: string): unknown {
  const t = text.trim();
  if (!t) {
    return undefined;
  }
  if (type === 'int' || type === 'float') {
    const n = Number(t);
    return Number.isFinite(n) ? n : text;
  }
  if (type === 'bool') {
    return t === 'true' ? true : t === 'false' ? false : text;
  }
  if (type.startsWith('[')) {
    try {
      const parsed = JSON.parse(t);
      if (Array.isArray(parsed)) {
        return parsed;
      }
    } catch {
      // a comma-separated list
    }
    const items = t.split(',').map(x => x.trim());
    return type === '[str]' ? items : items.map(Number);
  }
  return text;
}

function params(rows: IParamRow[], withDefault: boolean): INewParam[] {
  return rows
    .filter(r => r.name.trim())
    .map(r => {
      const p: INewParam = { name: r.name.trim(), value_type: r.value_type };
      const d = withDefault
        ? typedDefault(r.default_value, r.value_type)
        : undefined;
      if (d !== undefined) {
        p.default_value = d;
      }
      return p;
    });
}

export function toForm(v: INewModuleValues): INewModuleForm {
  const form: INewModuleForm = {
    name: v.name.trim(),
    folder: v.folder.trim(),
    description: v.description,
    category: v.category,
    actions: ACTIONS.filter(a => v.actions.includes(a)),
    inputs: {},
    outputs: {}
  };
  for (const a of form.actions) {
    form.inputs[a] = params(v.inputs[a], true);
    if (a !== 'train') {
      form.outputs[a] = params(v.outputs[a], false);
    }
  }
  return form;
}
