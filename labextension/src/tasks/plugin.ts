/**
 * Training tasks (issue 11).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

export const taskPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mo_jupyter:tasks',
  description: 'Training tasks.',
  autoStart: true,
  requires: [],
  optional: [],
  activate: (app: JupyterFrontEnd) => {
    void app;
  }
};
