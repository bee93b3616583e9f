/**
 * Compare runs (issue 11).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

export const comparePlugin: JupyterFrontEndPlugin<void> = {
  id: 'mo_jupyter:compare',
  description: 'Compare runs.',
  autoStart: true,
  requires: [],
  optional: [],
  activate: (app: JupyterFrontEnd) => {
    void app;
  }
};
