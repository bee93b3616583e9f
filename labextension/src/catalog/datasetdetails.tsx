/**
 * A dataset's details tab (seed 003, 2.1.5): metadata, split, format check,
 * files, archives (Extract), Insert; and for the user's own datasets the
 * management actions: upload, edit, online / offline, permission, delete.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { datasetsIcon } from '../icons';
import { IDatasetDetail, Permission, getDataset } from './api';
import {
  CatalogDetails,
  DetailsHeader,
  DetailsLoading,
  FileList,
  OwnerSettings,
  createDetailsTab,
  useBusy,
  useDetail
} from './details';
import {
  labelTypeLabel,
  permissionLabel,
  purposeLabel,
  statusLabel,
  testSetLabel
} from './labels';
import { Badge, CatalogEvents, useChangeTick } from './search';
import { UploadBox } from './uploadbox';
import { formatBytes } from './util';

/** What the buttons do (commands.ts implements them). */
export interface IDatasetActions {
  insert: (id: string) => Promise<unknown>;
  extract: (id: string, archive: string) => Promise<unknown>;
  edit: (d: IDatasetDetail) => Promise<unknown>;
  remove: (d: IDatasetDetail) => Promise<unknown>;
  setStatus: (
    d: IDatasetDetail,
    status: 'online' | 'offline'
  ) => Promise<unknown>;
  setPermission: (d: IDatasetDetail, p: Permission) => Promise<unknown>;
}

export interface IDatasetDetailsOptions {
  id: string;
  trans: TranslationBundle;
  events: CatalogEvents;
  actions: IDatasetActions;
}

export class DatasetDetails extends CatalogDetails<IDatasetDetailsOptions> {
  constructor(options: IDatasetDetailsOptions) {
    super(options, 'dataset');
  }

  get datasetId(): string {
    return this.options.id;
  }

  render(): JSX.Element {
    return <DatasetView {...this.options} />;
  }
}

export function createDatasetWidget(
  options: IDatasetDetailsOptions
): MainAreaWidget<DatasetDetails> {
  const caption = options.trans.__('Dataset %1', options.id);
  return createDetailsTab(new DatasetDetails(options), caption, datasetsIcon);
}

function DatasetView(props: IDatasetDetailsOptions): JSX.Element {
  const { id, trans, events, actions } = props;
  const [tick] = useChangeTick(events, id);
  const { detail, error } = useDetail(() => getDataset(id), [id, tick]);
  const [busy, run] = useBusy();
  const failure = error
    ? trans.__('Cannot load dataset %1: %2', id, error)
    : '';

  if (!detail) {
    return (
      <DetailsLoading
        className="mo-DatasetDetails-content"
        failure={failure}
        trans={trans}
      />
    );
  }

  const online = detail.status === 'online';
  const rows: [string, string][] = [
    [trans.__('Owner'), detail.owner],
    [trans.__('Version'), detail.version ?? ''],
    [
      trans.__('Purpose'),
      detail.purpose ? purposeLabel(trans, detail.purpose) : ''
    ],
    [
      trans.__('Label type'),
      detail.label_type ? labelTypeLabel(trans, detail.label_type) : ''
    ],
    [trans.__('Format'), detail.format ?? ''],
    [trans.__('Test set'), testSetLabel(trans, detail.test_set)],
    [
      trans.__('Size'),
      trans.__('%1 in %2 files', formatBytes(detail.size), detail.file_count)
    ],
    [trans.__('Permission'), permissionLabel(trans, detail.permission ?? '')],
    [trans.__('License'), detail.license ?? ''],
    [trans.__('Source'), detail.source ?? ''],
    [trans.__('Catalog'), detail.catalog]
  ];

  return (
    <div
      className="mo-DatasetDetails-content"
      data-state="ready"
      data-status={detail.status}
      data-writable={detail.writable ? 'true' : 'false'}
    >
      <DetailsHeader
        detail={detail}
        failure={failure}
        badges={
          <>
            <Badge
              kind="status"
              value={detail.status ?? 'offline'}
              label={statusLabel(trans, detail.status ?? 'offline')}
            />
            <Badge
              kind="permission"
              value={detail.permission ?? ''}
              label={permissionLabel(trans, detail.permission ?? '')}
            />
            <Badge kind="catalog" value={detail.catalog} />
          </>
        }
      >
        <button
          className="jp-Button jp-mod-styled jp-mod-accept mo-DatasetDetails-insert"
          data-testid="mo-dataset-insert"
          disabled={!online || busy !== ''}
          title={
            online
              ? trans.__(
                  'Link the dataset next to the current notebook and insert code that loads it'
                )
              : trans.__(
                  'Only online datasets can be inserted: set it online first.'
                )
          }
          onClick={() => void run('insert', () => actions.insert(detail.id))}
        >
          {busy === 'insert' ? trans.__('Inserting…') : trans.__('Insert')}
        </button>
        {detail.writable && (
          <>
            <OwnerSettings
              kind="dataset"
              trans={trans}
              detail={detail}
              online={online}
              statusTitle={
                online
                  ? trans.__(
                      'Take the dataset offline: it can no longer be inserted'
                    )
                  : trans.__(
                      'Check the files against the format and put the dataset online'
                    )
              }
              busy={busy}
              run={run}
              actions={actions}
            />
            <button
              className="jp-Button jp-mod-styled mo-DatasetDetails-edit"
              data-testid="mo-dataset-edit"
              disabled={busy !== ''}
              onClick={() => void run('edit', () => actions.edit(detail))}
            >
              {trans.__('Edit')}
            </button>
            <button
              className="jp-Button jp-mod-styled jp-mod-warn mo-DatasetDetails-delete"
              data-testid="mo-dataset-delete"
              disabled={busy !== ''}
              onClick={() => void run('delete', () => actions.remove(detail))}
            >
              {trans.__('Delete')}
            </button>
          </>
        )}
      </DetailsHeader>

      <section
        className="mo-Details-section mo-DatasetCheck"
        data-testid="mo-dataset-check"
        data-ok={detail.check.ok ? 'true' : 'false'}
      >
        <h2>{trans.__('Format check')}</h2>
        {detail.check.ok ? (
          <div className="mo-DatasetCheck-ok">
            {trans.__('The files match the %1 format.', detail.format ?? '')}
          </div>
        ) : (
          <ul className="mo-DatasetCheck-problems">
            {detail.check.problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        )}
      </section>

      {detail.writable && (
        <UploadBox
          dataset={detail}
          trans={trans}
          onImported={() => events.emit(detail.id)}
        />
      )}

      <section className="mo-Details-section">
        <h2>{trans.__('Details')}</h2>
        <table
          className="mo-Table mo-DatasetMeta"
          data-testid="mo-dataset-meta"
        >
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}>
                <th>{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {detail.archives.length > 0 && (
        <section className="mo-Details-section mo-DatasetArchives">
          <h2>{trans.__('Archives')}</h2>
          <ul className="mo-FileList">
            {detail.archives.map(a => (
              <li key={a} data-archive={a}>
                <span className="mo-FileList-path">{a}</span>
                <button
                  className="jp-Button jp-mod-styled mo-DatasetArchives-extract"
                  disabled={!online || busy !== ''}
                  title={
                    online
                      ? trans.__("Extract into the current notebook's folder")
                      : trans.__(
                          'Only online datasets can be inserted: set it online first.'
                        )
                  }
                  onClick={() =>
                    void run('extract', () => actions.extract(detail.id, a))
                  }
                >
                  {trans.__('Extract')}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className="mo-Details-section mo-DatasetFiles">
        <h2>{trans.__('Files')}</h2>
        {detail.files.length === 0 ? (
          <div className="mo-Catalog-empty">
            {trans.__('No files yet: upload an archive.')}
          </div>
        ) : (
          <FileList files={detail.files} testId="mo-dataset-files" />
        )}
        {detail.truncated && (
          <div className="mo-DatasetFiles-truncated">
            {trans.__(
              'Only the first %1 of %2 files are listed.',
              detail.files.length,
              detail.file_count
            )}
          </div>
        )}
      </section>
    </div>
  );
}
