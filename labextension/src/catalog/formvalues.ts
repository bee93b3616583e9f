/**
 * The dataset form's values and what is sent: strings in the inputs ->
 * dataset.yml keys, the changed keys for an edit, and the client-side hints.
 * Pure functions (the unit tests load them in plain Node).
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IDatasetMeta } from './api';
import { NAME_PATTERN, formatHint } from './labels';

/** What the form edits, as strings (the inputs' values). */
export interface IDatasetFormValues {
  name: string;
  description: string;
  tags: string;
  purpose: string;
  label_type: string;
  format: string;
  split: 'ratio' | 'independent';
  ratio: string;
  permission: string;
  license: string;
  source: string;
}

export function formValues(meta?: Partial<IDatasetMeta>): IDatasetFormValues {
  const t = meta?.test_set;
  return {
    name: meta?.name ?? '',
    description: meta?.description ?? '',
    tags: (meta?.tags ?? []).join(', '),
    purpose: meta?.purpose ?? 'image_classification',
    label_type: meta?.label_type ?? 'single_label',
    format: meta?.format ?? 'dir',
    split: t === 'independent' ? 'independent' : 'ratio',
    ratio: typeof t === 'number' ? String(t) : '0.9',
    permission: meta?.permission ?? 'private',
    license: meta?.license ?? '',
    source: meta?.source ?? ''
  };
}

/** The dataset.yml keys the values stand for (unparsable numbers are sent as typed). */
export function toMeta(v: IDatasetFormValues): IDatasetMeta {
  const ratio = Number(v.ratio);
  const meta: IDatasetMeta = {
    name: v.name.trim(),
    description: v.description.trim(),
    tags: v.tags
      .split(/[,，]/)
      .map(t => t.trim())
      .filter(Boolean),
    purpose: v.purpose,
    label_type: v.label_type,
    format: v.format,
    test_set:
      v.split === 'independent'
        ? 'independent'
        : v.ratio.trim() && isFinite(ratio)
          ? ratio
          : (v.ratio as unknown as number),
    permission: v.permission as IDatasetMeta['permission'],
    license: v.license.trim(),
    source: v.source.trim()
  };
  return meta;
}

/** Keys whose value differs from `before` (for PATCH). */
export function changedKeys(
  before: Partial<IDatasetMeta>,
  after: IDatasetMeta
): Partial<IDatasetMeta> {
  const out: { [k: string]: unknown } = {};
  for (const [k, v] of Object.entries(after)) {
    const old = (before as { [k: string]: unknown })[k];
    if (
      JSON.stringify(old ?? (Array.isArray(v) ? [] : '')) !== JSON.stringify(v)
    ) {
      out[k] = v;
    }
  }
  delete out.name;
  return out as Partial<IDatasetMeta>;
}

export function formHints(
  trans: TranslationBundle,
  v: IDatasetFormValues
): string[] {
  const hints: string[] = [];
  if (!v.name.trim()) {
    hints.push(trans.__('A name is required.'));
  } else if (!NAME_PATTERN.test(v.name.trim())) {
    hints.push(
      trans.__(
        'Names use letters, digits, "_", "." and "-", and start with a letter or digit.'
      )
    );
  }
  const ratio = Number(v.ratio);
  if (v.split === 'ratio' && !(ratio > 0 && ratio < 1)) {
    hints.push(
      trans.__('The train share is a number between 0 and 1, e.g. 0.9.')
    );
  }
  const hint = formatHint(trans, v.purpose, v.format);
  if (hint) {
    hints.push(hint);
  }
  return hints;
}
