/**
 * The Upload box of a writable dataset's details (seed 003, 2.1.2): pick a
 * .zip / .tar(.gz) in the browser, send it in chunks with a progress bar,
 * then the server extracts it into the dataset (train or test part).
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { errorMessage } from '../api';
import {
  IDatasetDetail,
  cancelUpload,
  createUpload,
  importIntoDataset,
  putChunk
} from './api';
import { formatBytes } from './util';
import {
  ARCHIVE_ACCEPT,
  CancelledError,
  DatasetUpload,
  IUploadProgress,
  IUploadTransport,
  isArchiveName,
  layoutErrorText,
  layoutProblems,
  uploadErrorText
} from './upload';

const transport: IUploadTransport = {
  create: createUpload,
  put: putChunk,
  cancel: cancelUpload,
  importInto: importIntoDataset
};

export function UploadBox(props: {
  dataset: IDatasetDetail;
  trans: TranslationBundle;
  onImported: (d: IDatasetDetail) => void;
}): JSX.Element {
  const { dataset, trans } = props;
  const independent = dataset.test_set === 'independent';
  const [file, setFile] = React.useState<File | null>(null);
  const [part, setPart] = React.useState<'train' | 'test'>('train');
  const [progress, setProgress] = React.useState<IUploadProgress | null>(null);
  const [message, setMessage] = React.useState<{
    ok: boolean;
    text: string;
  } | null>(null);
  // imported, but the archive's layout fails the format check
  const [wrongLayout, setWrongLayout] = React.useState(false);
  const current = React.useRef<DatasetUpload | null>(null);
  const input = React.useRef<HTMLInputElement>(null);

  React.useEffect(
    () => () => {
      void current.current?.cancel();
    },
    []
  );

  const start = async () => {
    if (!file) {
      return;
    }
    setMessage(null);
    setWrongLayout(false);
    if (!isArchiveName(file.name)) {
      // refused before a byte is sent: the bar shows the failure too
      setProgress({ phase: 'failed', sent: 0, total: file.size, percent: 0 });
      setMessage({ ok: false, text: uploadErrorText(trans, file.name) });
      return;
    }
    const upload = new DatasetUpload(
      dataset.id,
      file,
      independent ? part : 'train',
      transport,
      p => setProgress(p)
    );
    current.current = upload;
    try {
      const detail = await upload.run();
      const problems = layoutProblems(detail, independent ? part : 'train');
      setWrongLayout(problems.length > 0);
      setMessage(
        problems.length
          ? {
              ok: false,
              text: layoutErrorText(
                trans,
                file.name,
                dataset.id,
                detail.format ?? dataset.format ?? '?',
                problems
              )
            }
          : {
              ok: true,
              text: trans.__(
                'Imported %1 (%2) into %3',
                file.name,
                formatBytes(file.size),
                dataset.id
              )
            }
      );
      setFile(null);
      if (input.current) {
        input.current.value = '';
      }
      props.onImported(detail);
    } catch (err) {
      setMessage(
        err instanceof CancelledError
          ? {
              ok: true,
              text: trans.__('Upload cancelled; nothing was imported.')
            }
          : {
              ok: false,
              text: uploadErrorText(trans, file.name, errorMessage(err))
            }
      );
    } finally {
      current.current = null;
    }
  };

  const phase = progress?.phase ?? 'idle';
  const active = phase === 'uploading' || phase === 'importing';
  const failed = phase === 'failed' || (phase === 'done' && wrongLayout);
  return (
    <section
      className="mo-Details-section mo-UploadBox"
      data-testid="mo-upload"
    >
      <h2>{trans.__('Upload data')}</h2>
      <p className="mo-UploadBox-help">
        {trans.__(
          'A .zip, .tar.gz, .tgz, .tar.bz2 or .tar.xz archive; it is extracted into the dataset, entries checked (no absolute paths, no "..", no links).'
        )}
      </p>
      <div className="mo-UploadBox-controls">
        <input
          ref={input}
          type="file"
          className="mo-UploadBox-file"
          data-testid="mo-upload-file"
          accept={ARCHIVE_ACCEPT}
          disabled={active}
          onChange={e => setFile(e.currentTarget.files?.[0] ?? null)}
        />
        {independent && (
          <select
            className="jp-mod-styled mo-UploadBox-part"
            data-testid="mo-upload-part"
            value={part}
            disabled={active}
            onChange={e => setPart(e.currentTarget.value as 'train' | 'test')}
          >
            <option value="train">{trans.__('Training set')}</option>
            <option value="test">{trans.__('Test set')}</option>
          </select>
        )}
        <button
          className="jp-Button jp-mod-styled jp-mod-accept mo-UploadBox-start"
          data-testid="mo-upload-start"
          disabled={!file || active}
          onClick={() => void start()}
        >
          {trans.__('Upload')}
        </button>
        {active && (
          <button
            className="jp-Button jp-mod-styled jp-mod-reject mo-UploadBox-cancel"
            data-testid="mo-upload-cancel"
            onClick={() => void current.current?.cancel()}
          >
            {trans.__('Cancel')}
          </button>
        )}
      </div>
      {progress && (
        <div
          className={`mo-UploadBox-progress${failed ? ' mo-mod-error' : ''}`}
          data-testid="mo-upload-progress"
          data-phase={phase}
          data-percent={progress.percent}
          data-error={failed ? 'true' : 'false'}
        >
          <progress
            max={100}
            value={progress.percent}
            aria-label={trans.__('Upload progress')}
            aria-invalid={failed ? 'true' : undefined}
          />
          <span className="mo-UploadBox-progressText">
            {phase === 'failed'
              ? trans.__('Upload failed at %1 %', progress.percent)
              : failed
                ? trans.__('Imported; the format check failed')
                : phase === 'importing'
                  ? trans.__(
                      '%1 % uploaded; extracting and checking…',
                      progress.percent
                    )
                  : trans.__(
                      '%1 % (%2 of %3)',
                      progress.percent,
                      formatBytes(progress.sent),
                      formatBytes(progress.total)
                    )}
          </span>
        </div>
      )}
      {message && (
        <pre
          className={`mo-Message mo-UploadBox-message ${message.ok ? 'mo-mod-ok' : 'mo-mod-error'}`}
          data-testid="mo-upload-message"
          role={message.ok ? 'status' : 'alert'}
        >
          {message.text}
        </pre>
      )}
    </section>
  );
}
