/**
 * The draft training tasks, a row each with Edit / Start / Delete: a React
 * component for a sidebar (the Jobs sidebar places it). The list is polled
 * like the Jobs sidebar's (a Poll with back-off, standing by while the page
 * is hidden) and refreshed at once when a task is saved, started or deleted.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Poll } from '@lumino/polling';
import * as React from 'react';

import { errorMessage } from '../api';
import { formatTime } from '../jobs/format';
import { TASK_COMMANDS, tasksChanged } from './actions';
import { ITask, listTasks } from './api';

/** The drafts, newest first, polled every `interval` ms. */
export function useDrafts(interval = 3000): {
  drafts: ITask[] | null;
  error: string | null;
} {
  const [drafts, setDrafts] = React.useState<ITask[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    const poll = new Poll({
      factory: async () => {
        try {
          const tasks = await listTasks();
          setDrafts(tasks.filter(t => t.state === 'draft'));
          setError(null);
        } catch (err) {
          setError(errorMessage(err));
          throw err;
        }
      },
      frequency: { interval, backoff: true, max: 30 * 1000 },
      name: 'mo_jupyter:task-drafts',
      standby: 'when-hidden'
    });
    const refresh = () => void poll.refresh();
    tasksChanged.connect(refresh);
    return () => {
      tasksChanged.disconnect(refresh);
      poll.dispose();
    };
  }, [interval]);
  return { drafts, error };
}

export function TaskDrafts(props: {
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { commands, trans } = props;
  const { drafts, error } = useDrafts();
  const run = (command: string, id: string) =>
    void commands.execute(command, { id });
  if (error && !drafts) {
    return (
      <div className="mo-TaskDrafts mo-mod-error" role="alert">
        {trans.__('Cannot list the training tasks: %1', error)}
      </div>
    );
  }
  if (!drafts || drafts.length === 0) {
    return null;
  }
  return (
    <div className="mo-TaskDrafts" data-testid="mo-task-drafts">
      <div className="mo-TaskDrafts-title">
        {trans.__('Draft training tasks')}
      </div>
      <ul className="mo-TaskDrafts-list">
        {drafts.map(t => (
          <li key={t.id} className="mo-TaskDraft" data-task-id={t.id}>
            <span
              className="mo-TaskDraft-name"
              title={trans.__(
                '%1 on %2, saved %3',
                t.module.id,
                t.dataset.id,
                formatTime(t.updated ?? t.created)
              )}
            >
              {t.name}
            </span>
            <span className="mo-TaskDraft-buttons">
              <button
                className="jp-Button jp-mod-minimal mo-TaskDraft-edit"
                onClick={() => run(TASK_COMMANDS.edit, t.id)}
              >
                {trans.__('Edit')}
              </button>
              <button
                className="jp-Button jp-mod-minimal mo-TaskDraft-start"
                onClick={() => run(TASK_COMMANDS.start, t.id)}
              >
                {trans.__('Start')}
              </button>
              <button
                className="jp-Button jp-mod-minimal mo-TaskDraft-delete"
                onClick={() => run(TASK_COMMANDS.remove, t.id)}
              >
                {trans.__('Delete')}
              </button>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
