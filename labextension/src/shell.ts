/**
 * Main-area tabs with one widget per object (job, module, dataset): the
 * execute of an "open" command activates the tracked tab of `args.id`, or
 * makes one, tracks it and adds it. Without an id it does nothing.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { WidgetTracker } from '@jupyterlab/apputils';
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
