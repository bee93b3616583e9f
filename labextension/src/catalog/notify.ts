/**
 * An "in progress" notification that becomes the result.
 *
 * JupyterLab renders toasts asynchronously: an update that arrives before the
 * first rendering is lost (the toast keeps its first message). So the pending
 * toast is only shown for work that lasts over SHOW_AFTER_MS, and it is left
 * on screen at least SETTLE_MS before it is updated.
 */
import { Notification } from '@jupyterlab/apputils';

export const SHOW_AFTER_MS = 150;
export const SETTLE_MS = 600;

type Options = Notification.IOptions<any>;

export class Progress {
  constructor(private _message: string) {
    this._timer = window.setTimeout(() => {
      this._timer = 0;
      this._id = Notification.emit(this._message, 'in-progress', {
        autoClose: false
      });
      this._shownAt = Date.now();
    }, SHOW_AFTER_MS);
  }

  /** Turn the notification into the result (or show the result). */
  async finish(
    type: 'success' | 'error' | 'info' | 'warning',
    message: string,
    options: Options = {}
  ): Promise<void> {
    if (this._timer) {
      window.clearTimeout(this._timer);
      this._timer = 0;
      Notification.emit(message, type, options);
      return;
    }
    await this._settle();
    Notification.update({ ...options, id: this._id, message, type });
  }

  /** Remove the pending notification (e.g. before a question). */
  async dismiss(): Promise<void> {
    if (this._timer) {
      window.clearTimeout(this._timer);
      this._timer = 0;
      return;
    }
    await this._settle();
    Notification.dismiss(this._id);
  }

  private async _settle(): Promise<void> {
    const wait = this._shownAt + SETTLE_MS - Date.now();
    if (wait > 0) {
      await new Promise(resolve => setTimeout(resolve, wait));
    }
  }

  private _timer = 0;
  private _id = '';
  private _shownAt = 0;
}
