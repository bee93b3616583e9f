/**
 * The parameters form's values checked against the JSON Schema that
 * GET mo/api/tasks/form generates from a module's input.train (CONTRACT C),
 * for exactly the keywords that generator writes: type (integer, number,
 * string, boolean, array with items), minimum, maximum, enum, maxLength,
 * required. The
 * server validates with the same schema; this one answers first, inline.
 *
 * Pure (no JupyterLab imports): problems are data, their words are the
 * form's (paramsform.tsx).
 */

export type ParamType = 'integer' | 'number' | 'string' | 'boolean' | 'array';

export interface IParamSchema {
  type?: ParamType;
  items?: IParamSchema;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  maxLength?: number;
  default?: unknown;
  description?: string;
  title?: string;
}

export interface IParamsSchema {
  type?: 'object';
  properties?: { [name: string]: IParamSchema };
  required?: string[];
  additionalProperties?: boolean;
}

/** Why a value is refused. `item` is the 0-based index in an array. */
export type Problem =
  | { kind: 'required' }
  | { kind: 'type'; type: ParamType; item?: number }
  | { kind: 'minimum'; limit: number; item?: number }
  | { kind: 'maximum'; limit: number; item?: number }
  | { kind: 'enum'; values: unknown[]; item?: number }
  | { kind: 'maxLength'; limit: number; item?: number };

/** What a form control holds: text for most, a flag for a checkbox. */
export type RawValue = string | boolean;

const same = (a: unknown, b: unknown) =>
  JSON.stringify(a) === JSON.stringify(b);

function typeOk(type: ParamType | undefined, v: unknown): boolean {
  switch (type) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && isFinite(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    default:
      return true;
  }
}

/** The first problem of one value, or null. */
export function checkValue(
  schema: IParamSchema,
  value: unknown,
  item?: number
): Problem | null {
  const at = item === undefined ? {} : { item };
  if (!typeOk(schema.type, value)) {
    return { kind: 'type', type: schema.type!, ...at };
  }
  if (schema.enum && !schema.enum.some(e => same(e, value))) {
    return { kind: 'enum', values: schema.enum, ...at };
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) {
      return { kind: 'minimum', limit: schema.minimum, ...at };
    }
    if (typeof schema.maximum === 'number' && value > schema.maximum) {
      return { kind: 'maximum', limit: schema.maximum, ...at };
    }
  }
  if (
    typeof value === 'string' &&
    typeof schema.maxLength === 'number' &&
    [...value].length > schema.maxLength
  ) {
    return { kind: 'maxLength', limit: schema.maxLength, ...at };
  }
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) {
      const p = checkValue(schema.items, value[i], i);
      if (p) {
        return p;
      }
    }
  }
  return null;
}

/** Every parameter's first problem, by name (empty: the values are valid). */
export function validateParams(
  schema: IParamsSchema,
  values: { [name: string]: unknown }
): { [name: string]: Problem } {
  const problems: { [name: string]: Problem } = {};
  for (const name of schema.required ?? []) {
    if (values[name] === undefined) {
      problems[name] = { kind: 'required' };
    }
  }
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    if (values[name] !== undefined && !problems[name]) {
      const p = checkValue(sub, values[name]);
      if (p) {
        problems[name] = p;
      }
    }
  }
  return problems;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const INTEGER = /^[-+]?\d+$/;

/** One typed scalar from text; undefined when the text is not of the type. */
function parseScalar(type: ParamType | undefined, text: string): unknown {
  const t = text.trim();
  if (type === 'integer') {
    return INTEGER.test(t) ? Number(t) : undefined;
  }
  if (type === 'number') {
    return NUMBER.test(t) && isFinite(Number(t)) ? Number(t) : undefined;
  }
  if (type === 'boolean') {
    return t === 'true' ? true : t === 'false' ? false : undefined;
  }
  return text;
}

/**
 * A control's content as a typed value: `value` undefined means "not given"
 * (an empty number field), `problem` that the text is not of the type.
 * Enum selects hold the JSON of the value; arrays are comma-separated.
 */
export function parseRaw(
  schema: IParamSchema,
  raw: RawValue
): { value?: unknown; problem?: Problem } {
  if (typeof raw === 'boolean') {
    return { value: raw };
  }
  if (schema.enum) {
    if (raw === '') {
      return {};
    }
    try {
      return { value: JSON.parse(raw) };
    } catch {
      return { problem: { kind: 'enum', values: schema.enum } };
    }
  }
  if (schema.type === 'array') {
    if (!raw.trim()) {
      return { value: [] };
    }
    const itemType = schema.items?.type;
    const parts = raw.split(',');
    const value: unknown[] = [];
    for (let i = 0; i < parts.length; i++) {
      const v = parseScalar(
        itemType,
        itemType === 'string' || !itemType ? parts[i].trim() : parts[i]
      );
      if (v === undefined) {
        return { problem: { kind: 'type', type: itemType!, item: i } };
      }
      value.push(v);
    }
    return { value };
  }
  if (schema.type === 'string' || !schema.type) {
    return { value: raw };
  }
  if (!raw.trim()) {
    return {};
  }
  const value = parseScalar(schema.type, raw);
  return value === undefined
    ? { problem: { kind: 'type', type: schema.type } }
    : { value };
}

/** A value as its control shows it (the inverse of parseRaw). */
export function toRaw(schema: IParamSchema, value: unknown): RawValue {
  if (schema.type === 'boolean' && !schema.enum) {
    return value === true;
  }
  if (value === undefined || value === null) {
    return '';
  }
  if (schema.enum) {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return value.map(v => String(v)).join(', ');
  }
  return String(value);
}

/** The parameters in form order: params_order, then any others. */
export function paramNames(schema: IParamsSchema, order?: string[]): string[] {
  const all = Object.keys(schema.properties ?? {});
  const first = (order ?? []).filter(n => all.includes(n));
  return [...first, ...all.filter(n => !first.includes(n))];
}

/** The controls' first contents: the given values, else the defaults. */
export function initialRaw(
  schema: IParamsSchema,
  given: { [name: string]: unknown } = {}
): { [name: string]: RawValue } {
  const raw: { [name: string]: RawValue } = {};
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    raw[name] = toRaw(sub, name in given ? given[name] : sub.default);
  }
  return raw;
}

/**
 * The form's contents read and validated: the values to send (fields left
 * empty and not required are omitted) and each field's problem.
 */
export function readParams(
  schema: IParamsSchema,
  raw: { [name: string]: RawValue }
): {
  values: { [name: string]: unknown };
  problems: { [name: string]: Problem };
} {
  const values: { [name: string]: unknown } = {};
  const parseProblems: { [name: string]: Problem } = {};
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    const r = parseRaw(sub, raw[name] ?? toRaw(sub, sub.default));
    if (r.problem) {
      parseProblems[name] = r.problem;
    } else if (r.value !== undefined) {
      values[name] = r.value;
    }
  }
  const problems = { ...validateParams(schema, values), ...parseProblems };
  return { values, problems };
}
