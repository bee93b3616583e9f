/**
 * What a model version leads to (issue 11 §3): **Deploy** (a service that
 * predicts with the module it was trained from: no handle to write; its test
 * page opens when it runs), **Publish to Catalog** (the next version of my
 * module with these weights) and **Transfer Training** (a training task
 * pre-filled to go on from this model).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';

import { MoApiError, enc, errorMessage, requestAPI } from '../api';
import { IService } from '../deploy/api';
import { settled } from '../deploy/actions';
import { serviceDeployed } from '../deploy/services';
import { openTestPage } from '../deploy/testpage';
import { getModel } from './api';
import { ModelCommandIDs as IDs } from './ids';

/** The deploy wizard (deploy/commands.ts), on a notebook's path. */
const DEPLOY = 'mo:deploy';
/** The wizard's command; its args pre-fill a task (tasks/plugin.ts). */
const NEW_TRAINING_TASK = 'mo:new-training-task';

type Target = { name: string; version: number };

const base = (t: Target) => `models/${enc(t.name)}/${enc(String(t.version))}`;

const post = <T>(path: string, body: object) =>
  requestAPI<T>(path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' }
  });

export function addModelActions(
  app: JupyterFrontEnd,
  trans: TranslationBundle,
  browser: IDefaultFileBrowser | null,
  target: (args: { [key: string]: unknown }) => Target | null,
  changed: () => void
): void {
  const { commands } = app;
  // the views that show a deploy (Deploy sidebar, Models, open model tabs): a refresh that fails
  // never stands between the user and the test page
  const refresh = (serviceId: string) => {
    try {
      serviceDeployed.emit(serviceId);
      changed();
    } catch (err) {
      console.error('mo: refreshing the views after a deploy failed', err);
    }
  };

  commands.addCommand(IDs.deployModel, {
    label: trans.__('Deploy Model'),
    caption: trans.__(
      "Serve this model with its module's predict(): a service with a test page"
    ),
    execute: async args => {
      const t = target(args);
      if (!t) {
        return;
      }
      const note = Notification.emit(
        trans.__('Deploying model %1 version %2…', t.name, t.version),
        'in-progress',
        { autoClose: false }
      );
      try {
        const started = await post<IService>(`${base(t)}/deploy`, {});
        const service = await settled(started);
        refresh(service.id);
        if (service.state === 'failed') {
          Notification.update({
            id: note,
            type: 'error',
            message: trans.__(
              'The service failed to start: %1',
              service.error ?? service.reason ?? ''
            ),
            autoClose: false
          });
          return;
        }
        Notification.update({
          id: note,
          type: 'success',
          message: trans.__(
            'Model %1 version %2 is served by %3',
            t.name,
            t.version,
            service.id
          ),
          autoClose: 6000
        });
        await openTestPage(app, service, trans);
      } catch (err) {
        const wizard = err instanceof MoApiError && err.reason === 'wizard';
        if (wizard) {
          // the server wrote a notebook whose handle loads the model: the wizard picks its files
          await commands.execute(DEPLOY, {
            path: `model_apps/${t.name}-v${t.version}/deploy_model.ipynb`
          });
        }
        Notification.update({
          id: note,
          type: wizard ? 'warning' : 'error',
          message: wizard
            ? trans.__(
                'No module says how this model predicts: write its handle in the notebook the wizard opened (%1)',
                errorMessage(err)
              )
            : trans.__('Cannot deploy the model: %1', errorMessage(err)),
          autoClose: false,
          actions:
            wizard && browser
              ? [
                  {
                    label: trans.__('Show Files'),
                    callback: () =>
                      void browser.model.cd(
                        `/model_apps/${t.name}-v${t.version}`
                      )
                  }
                ]
              : []
        });
      }
    }
  });

  commands.addCommand(IDs.publishModel, {
    label: trans.__('Publish Model to Catalog…'),
    caption: trans.__(
      'A new version of your module of this name, carrying these weights'
    ),
    execute: async args => {
      const t = target(args);
      if (!t) {
        return;
      }
      const choice = await showDialog({
        title: trans.__('Publish model %1 version %2', t.name, t.version),
        body: trans.__(
          'The module it was trained from is published under your name as its next version, with these weights and their lineage in its README. Who may see it?'
        ),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.okButton({ label: trans.__('Only me'), ariaLabel: 'private' }),
          Dialog.okButton({ label: trans.__('Everyone'), ariaLabel: 'public' })
        ]
      });
      if (!choice.button.accept) {
        return;
      }
      const permission =
        choice.button.ariaLabel === 'public' ? 'public' : 'private';
      try {
        const module = await post<{ id: string; version: string }>(
          `${base(t)}/publish`,
          { permission }
        );
        Notification.success(
          trans.__('Published %1 %2', module.id, module.version),
          { autoClose: 6000 }
        );
      } catch (err) {
        Notification.error(
          trans.__('Cannot publish the model: %1', errorMessage(err)),
          { autoClose: false }
        );
      }
    }
  });

  commands.addCommand(IDs.transferModel, {
    label: trans.__('Transfer Training…'),
    caption: trans.__('A training task that goes on from this model'),
    isEnabled: () => commands.hasCommand(NEW_TRAINING_TASK),
    execute: async args => {
      const t = target(args);
      if (!t) {
        return;
      }
      try {
        const record = await getModel(t.name, t.version);
        const lineage = record.lineage;
        if (!lineage.module) {
          throw new Error(
            trans.__('this model was not trained from a catalog module')
          );
        }
        const file = record.files[0]?.path;
        await commands.execute(NEW_TRAINING_TASK, {
          module: lineage.module.id,
          dataset: lineage.datasets[0]?.id ?? '',
          ...(record.files_dir && file
            ? { startModel: `${record.files_dir}/${file}` }
            : {})
        });
      } catch (err) {
        Notification.error(
          trans.__('Cannot start transfer training: %1', errorMessage(err)),
          { autoClose: false }
        );
      }
    }
  });
}
