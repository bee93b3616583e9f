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
