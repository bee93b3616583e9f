/**
 * Training tasks (issue 11 §1): the New Training Task wizard in the main
 * area (tracked as 'mo-task'), opened new (optionally with a module, a
 * dataset and parameter values chosen: `{module?: 'owner/name', dataset?,
 * params?, startModel?}`, startModel being transfer training's model file,
 * root-relative, for the module's start_model parameter), on
 * a draft (Edit, `{id}`) or pre-filled from a task (Clone, `{id}`), and the
 * commands the drafts list uses (Start, Delete).
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';

import { errorMessage } from '../api';
import { DOMAIN } from '../tokens';
import {
  TASK_COMMANDS,
  deleteTaskAsked,
  startAndShow,
  tasksChanged,
  trainTaskIcon
} from './actions';
import { ITask, getTask } from './api';
import { IWizardInit } from './state';
import { projectOfTaskFolder } from './values';
import { TaskWizard } from './wizard';

export { TASK_COMMANDS } from './actions';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A copy of a task, made in the same project. */
function cloneOf(task: ITask): IWizardInit {
  const folder = projectOfTaskFolder(task.folder);
  return { mode: 'clone', task, name: `${task.name}-copy`, folder };
}

/** The hidden command the layout restorer reopens wizards with. */
const RESTORE = 'mo:restore-training-task';

export const taskPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mo_jupyter:tasks',
  description:
    'Training tasks: the New Training Task wizard, editing and cloning tasks.',
  autoStart: true,
  requires: [],
  optional: [
    ITranslator,
    ICommandPalette,
    ILayoutRestorer,
    IDefaultFileBrowser
  ],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    browser: IDefaultFileBrowser | null
  ) => {
    const trans = (translator ?? nullTranslator).load(DOMAIN);
    const { commands, shell } = app;
    const tracker = new WidgetTracker<MainAreaWidget<TaskWizard>>({
      namespace: 'mo-task'
    });

    const setTitle = (w: MainAreaWidget<TaskWizard>, task?: ITask) => {
      const label =
        w.content.mode === 'edit' || (task && w.content.taskId)
          ? trans.__('Training task %1', task?.name ?? '')
          : trans.__('New Training Task');
      w.title.label = label;
      w.title.caption = label;
    };

    /** A wizard tab; `key` (its widget id) is kept across reloads. */
    const open = (init: IWizardInit, key?: string) => {
      const content = new TaskWizard({ init, trans, commands });
      const widget = new MainAreaWidget({ content });
      widget.id = key || `mo-task-wizard-${UUID.uuid4()}`;
      widget.title.icon = trainTaskIcon;
      widget.title.closable = true;
      setTitle(widget, init.mode === 'edit' ? init.task : undefined);
      content.saved.connect((_, { task, started }) => {
        tasksChanged.emit(task);
        if (started) {
          widget.dispose();
        } else {
          setTitle(widget, task);
          void tracker.save(widget);
        }
      });
      void tracker.add(widget);
      shell.add(widget, 'main');
      shell.activateById(widget.id);
      return widget;
    };

    const fetchTask = async (id: string): Promise<ITask | null> => {
      if (!id) {
        return null;
      }
      try {
        return await getTask(id);
      } catch (err) {
        Notification.error(
          trans.__(
            'Cannot read the training task %1: %2',
            id,
            errorMessage(err)
          ),
          { autoClose: false }
        );
        return null;
      }
    };

    commands.addCommand(TASK_COMMANDS.create, {
      label: trans.__('New Training Task…'),
      caption: trans.__(
        'Train a catalog algorithm on a dataset without writing code'
      ),
      icon: args => (args.isPalette ? undefined : trainTaskIcon),
      execute: args =>
        open({
          mode: 'new',
          folder: str(args.folder) || browser?.model.path || '',
          module: str(args.module) || undefined,
          dataset: str(args.dataset) || undefined,
          params:
            args.params && typeof args.params === 'object'
              ? (args.params as { [name: string]: unknown })
              : undefined,
          startModel: str(args.startModel) || undefined
        })
    });

    commands.addCommand(TASK_COMMANDS.edit, {
      label: trans.__('Edit Training Task…'),
      caption: trans.__('Change a draft training task'),
      execute: async args => {
        const id = str(args.id);
        const openOne = tracker.find(w => w.content.taskId === id);
        if (openOne) {
          shell.activateById(openOne.id);
          return openOne;
        }
        const task = await fetchTask(id);
        if (!task) {
          return;
        }
        if (task.state !== 'draft') {
          Notification.info(
            trans.__(
              'Training task %1 has started: the changes make a new task.',
              task.name
            ),
            { autoClose: 5000 }
          );
          return open(cloneOf(task));
        }
        return open({ mode: 'edit', task });
      }
    });

    commands.addCommand(TASK_COMMANDS.clone, {
      label: trans.__('Clone Training Task…'),
      caption: trans.__('A new training task with the values of this one'),
      execute: async args => {
        const task = await fetchTask(str(args.id));
        return task ? open(cloneOf(task)) : undefined;
      }
    });

    commands.addCommand(TASK_COMMANDS.start, {
      label: trans.__('Start Training Task'),
      execute: async args => {
        const id = str(args.id);
        // a wizard open on the draft closes: the task is no longer a draft
        const task = await startAndShow(commands, trans, id);
        tracker
          .filter(w => w.content.taskId === id)
          .forEach(w => task && w.dispose());
        return task ? task.id : undefined;
      }
    });

    commands.addCommand(TASK_COMMANDS.remove, {
      label: trans.__('Delete Training Task…'),
      execute: async args => {
        const task = await fetchTask(str(args.id));
        if (task && (await deleteTaskAsked(trans, task))) {
          tracker
            .filter(w => w.content.taskId === task.id)
            .forEach(w => w.dispose());
        }
      }
    });

    // after a reload: a draft's wizard reopens on it, a new one empty (the
    // tab keeps its id, so that the layout finds it)
    commands.addCommand(RESTORE, {
      execute: async args => {
        const id = str(args.id);
        const key = str(args.key) || undefined;
        if (!id) {
          return open({ mode: 'new', folder: str(args.folder) }, key);
        }
        const task = await getTask(id).catch(() => null);
        return task?.state === 'draft'
          ? open({ mode: 'edit', task }, key)
          : undefined;
      }
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: RESTORE,
        args: w => ({
          id: w.content.taskId ?? '',
          folder: w.content.folder,
          key: w.id
        }),
        name: w => w.id
      });
    }

    palette?.addItem({
      command: TASK_COMMANDS.create,
      category: trans.__('Mo'),
      args: { isPalette: true }
    });
  }
};
