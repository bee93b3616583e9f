/**
 * The app spec as the wizard edits it: the user's edits on top of the
 * parser's spec, the text forms of defaults and ranges, the checks that
 * block Next, the parser's problems by row, and a YAML preview written the
 * way the server writes app_spec.yml (Mo's key order). Pure, no JupyterLab.
 */
import type { IParam, IProblem, ISpec, Side } from './api';

/** Mo's parameter types: the wizard's and the New module form's choices. */
export const VALUE_TYPES = [
  'str',
  'int',
  'float',
  'bool',
  'img',
  'video',
  'audio',
  'file',
  'datetime',
  '[int]',
  '[str]',
  '[float]'
];

export const PARAM_KEYS: (keyof IParam)[] = [
  'name',
  'value_type',
  'default_value',
  'description',
  'optional',
  'value_range'
];

/** Edited fields by side and key; `undefined` removes the field. */
export type SpecEdits = {
  [S in Side]: { [key: string]: Partial<IParam> };
};

export function emptyEdits(): SpecEdits {
  return { input: {}, output: {} };
}

/** Record an edit of one field (a new object: React state). */
export function editField(
  edits: SpecEdits,
  side: Side,
  key: string,
  field: keyof IParam,
  value: unknown
): SpecEdits {
  const row = { ...(edits[side][key] ?? {}), [field]: value };
  return { ...edits, [side]: { ...edits[side], [key]: row } };
}

/** The parser's spec with the edits applied; edits of vanished keys are ignored. */
export function applyEdits(spec: ISpec, edits: SpecEdits): ISpec {
  const out: ISpec = { input: {}, output: {} };
  for (const side of ['input', 'output'] as Side[]) {
    for (const [key, param] of Object.entries(spec[side] ?? {})) {
      const merged: { [k: string]: unknown } = { ...param };
      for (const [field, value] of Object.entries(edits[side][key] ?? {})) {
        if (value === undefined) {
          delete merged[field];
        } else {
          merged[field] = value;
        }
      }
      out[side][key] = merged as unknown as IParam;
    }
  }
  return out;
}

/** A default value as the user types it. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Typed text -> a value of `type`; `undefined` for empty, an Error if it does not fit. */
export function parseDefault(text: string, type: string): unknown {
  const t = text.trim();
  if (!t) {
    return undefined;
  }
  if (type === 'int' || type === 'float') {
    const n = Number(t);
    if (!Number.isFinite(n) || (type === 'int' && !Number.isInteger(n))) {
      return new Error(type);
    }
    return n;
  }
  if (type === 'bool') {
    const low = t.toLowerCase();
    if (['true', 'false'].includes(low)) {
      return low === 'true';
    }
    return new Error(type);
  }
  if (type.startsWith('[')) {
    try {
      const list = JSON.parse(t);
      const item = type.slice(1, -1);
      const ok =
        Array.isArray(list) &&
        list.every(v =>
          item === 'str'
            ? typeof v === 'string'
            : typeof v === 'number' && (item === 'float' || Number.isInteger(v))
        );
      return ok ? list : new Error(type);
    } catch {
      return new Error(type);
    }
  }
  return text;
}

const RANGE = /^\s*(>=|<=)?\s*-?\d+(\.\d+)?\s*(-\s*-?\d+(\.\d+)?\s*)?$/;

/** Typed text -> a value_range: `[a, b]` choices, `{"min":..}`, or "a-b" / ">=a" / "<=a". */
export function parseRange(text: string): unknown {
  const t = text.trim();
  if (!t) {
    return undefined;
  }
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      const v = JSON.parse(t);
      if (Array.isArray(v) ? v.length > 0 : isMinMax(v)) {
        return v;
      }
    } catch {
      // fall through
    }
    return new Error('range');
  }
  return RANGE.test(t) ? t : new Error('range');
}

function isMinMax(v: unknown): boolean {
  if (!v || typeof v !== 'object') {
    return false;
  }
  const keys = Object.keys(v);
  return (
    keys.length > 0 &&
    keys.every(
      k =>
        (k === 'min' || k === 'max') &&
        typeof (v as { [k: string]: unknown })[k] === 'number'
    )
  );
}

/** The problems of one row: the parser's messages start with `input 'key'` / `output 'key'`. */
export function rowProblems(
  problems: IProblem[],
  side: Side,
  key: string
): IProblem[] {
  const head = `${side} '${key}'`;
  return problems.filter(p => p.message.startsWith(head));
}

/** The problems not about one input or output row. */
export function generalProblems(problems: IProblem[]): IProblem[] {
  return problems.filter(p => !/^(input|output) '/.test(p.message));
}

/**
 * The errors in the code itself (a syntax error, two or no handle, an async
 * handle...): no table edit fixes them, so they block Next where they are
 * found (the cells step for the notebook's cells, the handler step for an
 * edited handler.py). Row errors and the spec's own check are left to the
 * parameters step.
 */
export function codeErrors(problems: IProblem[]): IProblem[] {
  return generalProblems(problems).filter(
    p =>
      p.severity === 'error' && !/^the spec does not validate/.test(p.message)
  );
}

/**
 * The errors that block Next on the parameters step: the parser's general
 * errors, its row errors on rows the user has not edited, and any row whose
 * value_type is unknown.
 */
export function blockingErrors(
  problems: IProblem[],
  spec: ISpec,
  edits: SpecEdits
): IProblem[] {
  const out = problems.filter(p => {
    if (p.severity !== 'error') {
      return false;
    }
    const m = /^(input|output) '([^']+)'/.exec(p.message);
    return !m || !edits[m[1] as Side][m[2]];
  });
  for (const side of ['input', 'output'] as Side[]) {
    for (const [key, p] of Object.entries(spec[side])) {
      if (!VALUE_TYPES.includes(p.value_type)) {
        out.push({
          severity: 'error',
          message: `${side} '${key}': unknown value_type '${p.value_type}'`,
          cell: null,
          line: null
        });
      }
    }
  }
  return out;
}

// strings YAML 1.1 (PyYAML) would read as something else: bool, null, numbers, dates
const IMPLICIT = [
  /^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(~|null|Null|NULL)$/,
  /^[-+]?(0b[0-1_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)$/,
  /^[-+]?(\.[0-9]+|[0-9][0-9_]*)(\.[0-9_]*)?([eE][-+]?[0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/,
  /^(<<|=)$/
];

/** A YAML scalar: plain when YAML reads it back as the same string, else quoted (as PyYAML does). */
function scalar(v: unknown): string {
  if (v === null || v === undefined) {
    return 'null';
  }
  if (typeof v === 'number' || typeof v === 'boolean') {
    return String(v);
  }
  const s = String(v);
  // control characters on purpose: such strings are written JSON-quoted
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(s)) {
    return JSON.stringify(s);
  }
  const plain =
    s.length > 0 &&
    !/^[-?:,[\]{}#&*!|>'"%@`\s]/.test(s) &&
    !/\s$/.test(s) &&
    !/: |:$| #/.test(s) &&
    !IMPLICIT.some(re => re.test(s));
  return plain ? s : `'${s.replace(/'/g, "''")}'`;
}

/** The value of a key indented by `indent` (lists indentless, as PyYAML writes them). */
function yamlValue(v: unknown, indent: string): string {
  if (Array.isArray(v)) {
    return v.length
      ? '\n' + v.map(x => `${indent}- ${scalar(x)}`).join('\n')
      : ' []';
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    return entries.length
      ? '\n' +
          entries
            .map(([k, x]) => `${indent}  ${k}:${yamlValue(x, indent + '  ')}`)
            .join('\n')
      : ' {}';
  }
  return ` ${scalar(v)}`;
}

/** app_spec.yml as the server writes it: input then output, Mo's key order. */
export function specToYaml(spec: ISpec): string {
  const lines: string[] = [];
  for (const side of ['input', 'output'] as Side[]) {
    const params = Object.entries(spec[side] ?? {});
    if (!params.length) {
      lines.push(`${side}: {}`);
      continue;
    }
    lines.push(`${side}:`);
    for (const [key, param] of params) {
      lines.push(`  ${key}:`);
      for (const field of PARAM_KEYS) {
        if (field in param && param[field] !== undefined) {
          lines.push(`    ${field}:${yamlValue(param[field], '    ')}`);
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}
