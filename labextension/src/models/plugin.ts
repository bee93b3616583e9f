/**
 * Models (issue 11).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

export const modelsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mo_jupyter:models',
  description: 'Models.',
  autoStart: true,
  requires: [],
  optional: [],
  activate: (app: JupyterFrontEnd) => {
    void app;
  }
};
