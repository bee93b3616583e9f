/**
 * Main-area tabs with one widget per object (job, module, dataset): the
 * execute of an "open" command activates the tracked tab of `args.id`, or
 * makes one, tracks it and adds it. Without an id it does nothing. And the
 * one question asked before anything is deleted.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, WidgetTracker, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';

export function openTabCommand<T extends Widget>(
  shell: JupyterFrontEnd.IShell,
  tracker: WidgetTracker<T>,
  idOf: (widget: T) => string,
  create: (id: string, args: ReadonlyPartialJSONObject) => T
): (args: ReadonlyPartialJSONObject) => T | undefined {
  return args => {
    const id = String(args.id ?? '');
    if (!id) {
      return;
    }
    let widget = tracker.find(w => idOf(w) === id);
    if (!widget) {
      widget = create(id, args);
      void tracker.add(widget);
      shell.add(widget, 'main');
    }
    shell.activateById(widget.id);
    return widget;
  };
}

/** Ask "`title`: `body`" with Cancel / Delete; true when the user chose Delete. */
export async function confirmDelete(
  trans: TranslationBundle,
  title: string,
  body: string
): Promise<boolean> {
  const answer = await showDialog({
    title,
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Delete') })
    ]
  });
  return answer.button.accept;
}
