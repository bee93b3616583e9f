/**
 * A document toolbar button that runs one command with the document's path.
 * Used for "Run as job" (Python editors) and "Export to .py" (notebooks).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { LabIcon, ToolbarButton } from '@jupyterlab/ui-components';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { Widget } from '@lumino/widgets';

export interface ICommandButtonOptions {
  /** The command to run with `{ path }`. */
  command: string;
  /** The toolbar item name. */
  name: string;
  className: string;
  icon: LabIcon;
  label?: string;
  tooltip: string;
  /** Shown only for paths this accepts (checked again when the file is renamed). */
  showFor?: (path: string) => boolean;
}

export class CommandButtonExtension
  implements DocumentRegistry.WidgetExtension
{
  constructor(
    private _app: JupyterFrontEnd,
    private _options: ICommandButtonOptions
  ) {}

  createNew(
    widget: Widget,
    context: DocumentRegistry.IContext<DocumentRegistry.IModel>
  ): IDisposable {
    const { command, name, className, icon, label, tooltip, showFor } =
      this._options;
    const button = new ToolbarButton({
      icon,
      className,
      label,
      tooltip,
      onClick: () =>
        void this._app.commands.execute(command, { path: context.path })
    });
    const sync = () =>
      button.setHidden(showFor ? !showFor(context.path) : false);
    sync();
    context.pathChanged.connect(sync);
    const toolbar = (widget as any).toolbar;
    if (toolbar?.insertItem) {
      toolbar.insertItem(10, name, button);
    }
    return new DisposableDelegate(() => {
      context.pathChanged.disconnect(sync);
      button.dispose();
    });
  }
}
