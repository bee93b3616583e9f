/**
 * What the task commands and the drafts list share: starting a task (then
 * its job tab and a notification), deleting one after asking, the icon, and
 * a signal that the task list changed.
 */
import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { LabIcon } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Signal } from '@lumino/signaling';

import { errorMessage } from '../api';
import { confirmDelete } from '../shell';
import { CommandIDs } from '../tokens';
import { ITask, deleteTask, startTask } from './api';

export const TASK_COMMANDS = {
  create: 'mo:new-training-task',
  edit: 'mo:edit-training-task',
  clone: 'mo:clone-training-task',
  start: 'mo:start-training-task',
  remove: 'mo:delete-training-task'
};

/** A task was saved, started or deleted somewhere (the drafts list refreshes). */
export const tasksChanged = new Signal<object, ITask | null>({});

/** A brain-like graph over a play triangle: training. */
export const trainTaskIcon = new LabIcon({
  name: 'mo_jupyter:train-task',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">' +
    '<g class="jp-icon3" fill="#616161">' +
    '<path d="M5 3a2 2 0 1 1 0 4 2 2 0 0 1 0-4zm14 0a2 2 0 1 1 0 4 2 2 0 0 1 0-4zM12 7a2 2 0 1 1 0 4 2 2 0 0 1 0-4z"/>' +
    '<path d="M6.2 5.6l5 2.6-.5.9-5-2.6zm11.6 0 .5.9-5 2.6-.5-.9z"/>' +
    '<path d="M8 13h13a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H8a1 1 0 0 1-1-1v-6a1 1 0 0 1 1-1zm1 2v4h11v-4z"/>' +
    '<path d="M2 14l4 3-4 3z"/></g></svg>'
});

/** Start a task, show its job and say so; resolves to the task, or null on failure. */
export async function startAndShow(
  commands: CommandRegistry,
  trans: TranslationBundle,
  id: string
): Promise<ITask | null> {
  try {
    const task = await startTask(id);
    tasksChanged.emit(task);
    Notification.success(trans.__('Training task %1 started', task.name), {
      autoClose: 5000
    });
    if (task.last_job) {
      await commands.execute(CommandIDs.openJob, { id: task.last_job.id });
    }
    return task;
  } catch (err) {
    Notification.error(
      trans.__('Cannot start the training task: %1', errorMessage(err)),
      { autoClose: false }
    );
    return null;
  }
}

/** Ask, then delete a task (its folder stays); resolves to whether it was deleted. */
export async function deleteTaskAsked(
  trans: TranslationBundle,
  task: Pick<ITask, 'id' | 'name' | 'folder'>
): Promise<boolean> {
  const sure = await confirmDelete(
    trans,
    trans.__('Delete training task'),
    trans.__(
      'Delete the training task %1? Its folder %2 and its jobs stay.',
      task.name,
      task.folder
    )
  );
  if (!sure) {
    return false;
  }
  try {
    await deleteTask(task.id);
    tasksChanged.emit(null);
    return true;
  } catch (err) {
    Notification.error(
      trans.__('Cannot delete the training task: %1', errorMessage(err)),
      { autoClose: false }
    );
    return false;
  }
}
