/**
 * Chunked upload of a browser file (POST uploads, PUT 8 MiB chunks with
 * `?offset=`), then import into a dataset. Cancelling aborts the request in
 * flight and deletes the partial upload on the server.
 */
import type { IDatasetDetail } from './api';

/** The four calls an upload makes (api.ts in the app, fakes in the unit tests). */
export interface IUploadTransport {
  create(name: string, size: number): Promise<{ id: string }>;
  put(
    id: string,
    offset: number,
    chunk: Blob,
    signal: AbortSignal
  ): Promise<number>;
  cancel(id: string): Promise<void>;
  importInto(
    datasetId: string,
    source: { upload: string; part: 'train' | 'test' }
  ): Promise<IDatasetDetail>;
}

export const CHUNK_SIZE = 8 * 1024 * 1024;

/** What the server extracts (mo_jupyter/catalog/archives.py ARCHIVE_SUFFIXES). */
export const ARCHIVE_SUFFIXES = [
  '.zip',
  '.tar',
  '.tar.gz',
  '.tgz',
  '.tar.bz2',
  '.tbz2',
  '.tar.xz',
  '.txz'
];

/** The file picker's `accept`: the same list. */
export const ARCHIVE_ACCEPT = ARCHIVE_SUFFIXES.join(',');

export function isArchiveName(name: string): boolean {
  const lower = name.toLowerCase();
  return ARCHIVE_SUFFIXES.some(
    suffix => lower.endsWith(suffix) && lower.length > suffix.length
  );
}

/** gettext's `__` (a TranslationBundle, or a stand-in in the unit tests). */
interface ITranslate {
  __(msgid: string, ...args: unknown[]): string;
}

/** Server messages about the archive itself: the user picked the wrong file. */
const WRONG_ARCHIVE =
  /not an archive|not a readable archive|unsupported archive|is corrupt/i;

/**
 * The message of a failed upload, naming the user's file: `serverText`
 * undefined means the name is not an archive (checked before sending);
 * otherwise the server's reason, with what to upload when the archive is
 * the problem.
 */
export function uploadErrorText(
  trans: ITranslate,
  fileName: string,
  serverText?: string
): string {
  const name =
    fileName.length > 120 ? `${fileName.slice(0, 119)}…` : fileName || '?';
  if (serverText === undefined) {
    return trans.__(
      '%1: not a supported archive; upload a .zip, .tar.gz, .tgz, .tar.bz2 or .tar.xz',
      name
    );
  }
  const text = serverText.startsWith(fileName)
    ? serverText
    : `${name}: ${serverText}`;
  return WRONG_ARCHIVE.test(serverText)
    ? `${text}; ${trans.__('upload a .zip, .tar.gz, .tgz, .tar.bz2 or .tar.xz')}`
    : text;
}

/**
 * The format check's problems that an imported archive brought: an archive
 * can be extracted and still be the wrong layout (a `dir` dataset's loose
 * files). An upload into one part of an independent test set is not blamed
 * for the other part (`test/: the folder is missing` after the train part).
 */
export function layoutProblems(
  detail: Pick<IDatasetDetail, 'check' | 'test_set'>,
  part: 'train' | 'test'
): string[] {
  if (!detail.check || detail.check.ok) {
    return [];
  }
  const other = part === 'train' ? 'test/' : 'train/';
  return detail.check.problems.filter(
    p => detail.test_set !== 'independent' || !p.startsWith(other)
  );
}

/**
 * The message of an archive that was imported but fails the format check:
 * the user's file, and the check's problems, which say what the format
 * needs ("format dir = one folder per class").
 */
export function layoutErrorText(
  trans: ITranslate,
  fileName: string,
  datasetId: string,
  format: string,
  problems: string[]
): string {
  const name =
    fileName.length > 120 ? `${fileName.slice(0, 119)}…` : fileName || '?';
  const lines = problems.slice(0, 8).map(p => `- ${p}`);
  if (problems.length > 8) {
    lines.push(trans.__('- and %1 more', problems.length - 8));
  }
  return [
    trans.__(
      '%1 was imported into %2, but its layout does not pass the format check of a %3 dataset:',
      name,
      datasetId,
      format
    ),
    ...lines
  ].join('\n');
}

export type UploadPhase =
  'idle' | 'uploading' | 'importing' | 'done' | 'cancelled' | 'failed';

export interface IUploadProgress {
  phase: UploadPhase;
  sent: number;
  total: number;
  /** 0..100, whole numbers. */
  percent: number;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export class DatasetUpload {
  constructor(
    readonly datasetId: string,
    readonly file: Blob & { name?: string },
    readonly part: 'train' | 'test',
    private _transport: IUploadTransport,
    private _onProgress: (p: IUploadProgress) => void = () => undefined,
    readonly chunkSize = CHUNK_SIZE
  ) {}

  get progress(): IUploadProgress {
    return this._progress;
  }

  /** Upload and import; resolves to the dataset after the import. */
  async run(): Promise<IDatasetDetail> {
    const total = this.file.size;
    this._report('uploading', 0);
    const name = this.file.name || 'upload.zip';
    try {
      const { id } = await this._transport.create(name, total);
      this._uploadId = id;
      this._throwIfCancelled();
      let offset = 0;
      while (offset < total) {
        const end = Math.min(offset + this.chunkSize, total);
        const received = await this._transport.put(
          id,
          offset,
          this.file.slice(offset, end),
          this._abort.signal
        );
        if (received !== end) {
          throw new Error(
            `the server holds ${received} bytes, ${end} were sent`
          );
        }
        offset = received;
        this._throwIfCancelled();
        this._report('uploading', offset);
      }
      this._report('importing', total);
      const detail = await this._transport.importInto(this.datasetId, {
        upload: id,
        part: this.part
      });
      this._uploadId = null; // the server consumed it
      this._report('done', total);
      return detail;
    } catch (err) {
      await this._discard();
      if (this._cancelled) {
        this._report('cancelled', this._progress.sent);
        throw new CancelledError();
      }
      this._report('failed', this._progress.sent);
      throw err;
    }
  }

  /** Stop sending and delete what the server holds. */
  async cancel(): Promise<void> {
    if (this._cancelled || this._progress.phase === 'done') {
      return;
    }
    this._cancelled = true;
    this._abort.abort();
    await this._discard();
  }

  private async _discard(): Promise<void> {
    const id = this._uploadId;
    this._uploadId = null;
    if (id) {
      await this._transport.cancel(id).catch(() => undefined);
    }
  }

  private _throwIfCancelled(): void {
    if (this._cancelled) {
      throw new CancelledError();
    }
  }

  private _report(phase: UploadPhase, sent: number): void {
    const total = this.file.size;
    const percent =
      total === 0
        ? phase === 'idle'
          ? 0
          : 100
        : Math.floor((sent * 100) / total);
    this._progress = { phase, sent, total, percent };
    this._onProgress(this._progress);
  }

  private _progress: IUploadProgress = {
    phase: 'idle',
    sent: 0,
    total: 0,
    percent: 0
  };
  private _uploadId: string | null = null;
  private _cancelled = false;
  private _abort = new AbortController();
}
