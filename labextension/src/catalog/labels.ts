/**
 * The dataset vocabularies of schema/dataset.schema.json with their
 * translated labels, and the form's client-side hints.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

export const PURPOSES = [
  'image_classification',
  'object_detection',
  'semantic_segmentation',
  'text_classification',
  'tabular',
  'other'
];

export const LABEL_TYPES = [
  'single_label',
  'multi_label',
  'bounding_box',
  'mask',
  'none'
];

export const FORMATS = ['dir', 'json', 'single_text', 'brat_ann', 'npz', 'csv'];

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export function purposeLabel(trans: TranslationBundle, p: string): string {
  switch (p) {
    case 'image_classification':
      return trans.__('Image classification');
    case 'object_detection':
      return trans.__('Object detection');
    case 'semantic_segmentation':
      return trans.__('Semantic segmentation');
    case 'text_classification':
      return trans.__('Text classification');
    case 'tabular':
      return trans.__('Tabular');
    case 'other':
      return trans.__('Other');
    default:
      return p;
  }
}

export function labelTypeLabel(trans: TranslationBundle, t: string): string {
  switch (t) {
    case 'single_label':
      return trans.__('Single label');
    case 'multi_label':
      return trans.__('Multiple labels');
    case 'bounding_box':
      return trans.__('Position (bounding box)');
    case 'mask':
      return trans.__('Position (mask)');
    case 'none':
      return trans.__('No labels');
    default:
      return t;
  }
}

export function formatLabel(trans: TranslationBundle, f: string): string {
  switch (f) {
    case 'dir':
      return trans.__('dir: one folder per class');
    case 'json':
      return trans.__('json: annotations in JSON');
    case 'single_text':
      return trans.__('single_text: one text file');
    case 'brat_ann':
      return trans.__('brat_ann: brat annotations');
    case 'npz':
      return trans.__('npz: NumPy arrays');
    case 'csv':
      return trans.__('csv: a table');
    default:
      return f;
  }
}

export function statusLabel(trans: TranslationBundle, s: string): string {
  return s === 'online' ? trans.__('online') : trans.__('offline');
}

export function permissionLabel(trans: TranslationBundle, p: string): string {
  switch (p) {
    case 'private':
      return trans.__('private');
    case 'public':
      return trans.__('public');
    case 'preset':
      return trans.__('preset');
    default:
      return p;
  }
}

export function testSetLabel(
  trans: TranslationBundle,
  t: number | 'independent' | undefined
): string {
  if (t === 'independent') {
    return trans.__('Independent test set (train/ and test/)');
  }
  if (typeof t === 'number') {
    return trans.__(
      'Random split: %1 % train, %2 % test',
      Math.round(t * 100),
      Math.round((1 - t) * 100)
    );
  }
  return trans.__('Not set');
}

/**
 * Hints about a combination of purpose and format that the preset
 * algorithms do not read (seed 003); the server stays the judge.
 */
export function formatHint(
  trans: TranslationBundle,
  purpose: string,
  format: string
): string {
  if (
    (purpose === 'image_classification' || purpose === 'text_classification') &&
    format !== 'dir' &&
    format !== 'npz'
  ) {
    return trans.__(
      'The preset classification algorithms read the dir format (one folder per class).'
    );
  }
  if (purpose === 'object_detection' && format !== 'json') {
    return trans.__(
      'The preset object detection algorithm reads the json format.'
    );
  }
  return '';
}
