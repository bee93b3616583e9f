/**
 * The wizard's first three steps: the purpose, the algorithm (tabs Mine /
 * Preset / Public, a search box, a card per module) and the dataset with
 * its split.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { PURPOSES, purposeLabel } from '../catalog/labels';
import { CatalogError } from '../catalog/search';
import { IAlgorithm, IDatasetChoice } from './api';
import { WizardState } from './state';
import { parseRatio, percent, splitChoices } from './values';

type T = { trans: TranslationBundle };

export function Loading(props: T): JSX.Element {
  return <div className="mo-Catalog-loading">{props.trans.__('Loading…')}</div>;
}

function purposeHint(trans: TranslationBundle, p: string): string {
  switch (p) {
    case 'image_classification':
      return trans.__('Tell which class a picture shows');
    case 'object_detection':
      return trans.__('Find and box the objects in a picture');
    case 'semantic_segmentation':
      return trans.__('Label every pixel of a picture');
    case 'text_classification':
      return trans.__('Tell which class a text belongs to');
    case 'tabular':
      return trans.__('Predict a column of a table');
    default:
      return trans.__('Any other kind of training');
  }
}

export function PurposeStep(props: T & { s: WizardState }): JSX.Element {
  const { trans, s } = props;
  return (
    <div className="mo-Deploy-step mo-TaskStep">
      <p className="mo-Deploy-hint">
        {trans.__('What should the model learn to do?')}
      </p>
      <div className="mo-TaskCards mo-TaskPurposes" role="radiogroup">
        {PURPOSES.map(p => (
          <button
            key={p}
            role="radio"
            aria-checked={s.purpose === p}
            className={`mo-TaskCard${s.purpose === p ? ' mo-mod-selected' : ''}`}
            data-purpose={p}
            onClick={() => s.setPurpose(p)}
          >
            <span className="mo-TaskCard-title">
              {purposeLabel(trans, p)}
              {s.all.data && (
                <span className="mo-TaskCard-version mo-TaskCard-count">
                  {trans.__(
                    'algorithms: %1',
                    s.all.data.filter(a => a.purposes.includes(p)).length
                  )}
                </span>
              )}
            </span>
            <span className="mo-TaskCard-text">{purposeHint(trans, p)}</span>
          </button>
        ))}
      </div>
    </div>
  );
}

const GROUPS = ['mine', 'preset', 'public'] as const;
type Group = (typeof GROUPS)[number];

function groupLabel(trans: TranslationBundle, g: Group): string {
  return g === 'mine'
    ? trans.__('Mine')
    : g === 'preset'
      ? trans.__('Preset')
      : trans.__('Public');
}

function groupEmpty(trans: TranslationBundle, g: Group): string {
  return g === 'mine'
    ? trans.__(
        'You have no algorithm for this purpose yet: a module of yours with train() and a training section in its module_spec.yml shows here.'
      )
    : g === 'preset'
      ? trans.__('No preset algorithm for this purpose.')
      : trans.__('No public algorithm for this purpose.');
}

function matches(a: IAlgorithm, q: string): boolean {
  const text = `${a.id} ${a.description ?? ''}`.toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every(w => text.includes(w));
}

export function AlgorithmStep(props: T & { s: WizardState }): JSX.Element {
  const { trans, s } = props;
  const list = s.algorithms.data ?? [];
  const [query, setQuery] = React.useState('');
  const count = (g: Group) => list.filter(a => a.group === g).length;
  const initial = (): Group =>
    list.find(a => a.id === s.module)?.group ??
    GROUPS.find(g => count(g) > 0) ??
    'mine';
  const [tab, setTab] = React.useState<Group>(initial);
  React.useEffect(() => setTab(initial()), [s.algorithms.data]);

  if (s.algorithms.error) {
    return (
      <CatalogError>
        {trans.__('Cannot list the algorithms: %1', s.algorithms.error)}
      </CatalogError>
    );
  }
  if (!s.algorithms.data) {
    return <Loading trans={trans} />;
  }
  const shown = list.filter(a => a.group === tab && matches(a, query));
  return (
    <div className="mo-Deploy-step mo-TaskStep">
      <p className="mo-Deploy-hint">
        {trans.__(
          'Algorithms that train for %1: catalog modules with train().',
          purposeLabel(trans, s.purpose)
        )}
      </p>
      <div className="mo-TaskTabs" role="tablist">
        {GROUPS.map(g => (
          <button
            key={g}
            role="tab"
            aria-selected={tab === g}
            className={`mo-TaskTab${tab === g ? ' mo-mod-current' : ''}`}
            data-group={g}
            onClick={() => setTab(g)}
          >
            {groupLabel(trans, g)}
            <span className="mo-TaskTab-count">{count(g)}</span>
          </button>
        ))}
        <input
          type="search"
          className="jp-mod-styled mo-TaskSearch"
          value={query}
          placeholder={trans.__('Search algorithms')}
          aria-label={trans.__('Search algorithms')}
          onChange={e => setQuery(e.currentTarget.value)}
        />
      </div>
      {shown.length === 0 ? (
        <div className="mo-Deploy-empty mo-TaskEmpty">
          {count(tab) === 0
            ? groupEmpty(trans, tab)
            : trans.__('No algorithm matches "%1".', query)}
        </div>
      ) : (
        <div className="mo-TaskCards mo-TaskAlgorithms" role="radiogroup">
          {shown.map(a => (
            <button
              key={a.id}
              role="radio"
              aria-checked={s.module === a.id}
              className={`mo-TaskCard${s.module === a.id ? ' mo-mod-selected' : ''}`}
              data-module={a.id}
              onClick={() => s.setModule(a.id)}
            >
              <span className="mo-TaskCard-title">
                {a.id}
                <span className="mo-TaskCard-version">
                  {trans.__('version %1', a.version)}
                </span>
              </span>
              <span className="mo-TaskCard-text">{a.description ?? ''}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

function splitLabel(
  trans: TranslationBundle,
  kind: string,
  share?: number
): string {
  if (kind === 'dataset') {
    return share !== undefined
      ? trans.__('Train share of the dataset: %1 %', percent(share))
      : trans.__("The dataset's own split");
  }
  if (kind === 'independent') {
    return trans.__('Independent test set');
  }
  return trans.__('Ratio');
}

function DatasetCard(props: {
  d: IDatasetChoice;
  selected: boolean;
  onSelect: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { d, trans } = props;
  return (
    <button
      role="radio"
      aria-checked={props.selected}
      className={`mo-TaskCard${props.selected ? ' mo-mod-selected' : ''}`}
      data-dataset={d.id}
      onClick={props.onSelect}
    >
      <span className="mo-TaskCard-title">
        {d.id}
        <span className="mo-TaskCard-version">
          {trans.__('version %1', d.version)}
          {d.format ? ` · ${d.format}` : ''}
        </span>
      </span>
      <span className="mo-TaskCard-text">{d.description ?? ''}</span>
    </button>
  );
}

export function DatasetStep(props: T & { s: WizardState }): JSX.Element {
  const { trans, s } = props;
  if (s.form.error) {
    return (
      <CatalogError>
        {trans.__('Cannot read the algorithm %1: %2', s.module, s.form.error)}
      </CatalogError>
    );
  }
  if (!s.form.data) {
    return <Loading trans={trans} />;
  }
  const datasets = s.form.data.datasets;
  const choices = splitChoices(s.chosenDataset);
  const ratioBad = s.splitKind === 'ratio' && parseRatio(s.ratio) === null;
  return (
    <div className="mo-Deploy-step mo-TaskStep">
      <p className="mo-Deploy-hint">
        {trans.__(
          'Online datasets in a format %1 reads (%2).',
          s.module,
          (s.form.data.module.formats ?? []).join(', ')
        )}
      </p>
      {datasets.length === 0 ? (
        <div className="mo-Deploy-empty mo-TaskEmpty">
          {trans.__(
            'No online dataset fits this algorithm: upload one in the Datasets sidebar.'
          )}
        </div>
      ) : (
        <div className="mo-TaskCards mo-TaskDatasets" role="radiogroup">
          {datasets.map(d => (
            <DatasetCard
              key={d.id}
              d={d}
              selected={s.dataset === d.id}
              onSelect={() => s.setDataset(d.id)}
              trans={trans}
            />
          ))}
        </div>
      )}
      {s.chosenDataset && (
        <fieldset className="mo-TaskSplit">
          <legend>{trans.__('Training and test split')}</legend>
          {choices.map(c => (
            <label key={c.kind} className="mo-TaskSplit-choice">
              <input
                type="radio"
                name="mo-task-split"
                value={c.kind}
                checked={s.splitKind === c.kind}
                onChange={() => s.setSplitKind(c.kind)}
              />
              {splitLabel(trans, c.kind, c.share)}
              {c.kind === 'ratio' && (
                <input
                  type="text"
                  inputMode="decimal"
                  className={`jp-mod-styled mo-TaskSplit-ratio${ratioBad ? ' mo-mod-invalid' : ''}`}
                  aria-label={trans.__('Train share')}
                  value={s.ratio}
                  disabled={s.splitKind !== 'ratio'}
                  onChange={e => s.setRatio(e.currentTarget.value)}
                />
              )}
            </label>
          ))}
          {choices.some(c => c.kind !== 'independent') && (
            <div className="mo-TaskField-help">
              {trans.__(
                'The train share: e.g. 0.9 trains on 90 % of the samples and measures the model on the other 10 %.'
              )}
            </div>
          )}
          {ratioBad && (
            <div className="mo-TaskField-error" role="alert">
              {trans.__('The ratio is a number above 0 and at most 1.')}
            </div>
          )}
        </fieldset>
      )}
    </div>
  );
}
