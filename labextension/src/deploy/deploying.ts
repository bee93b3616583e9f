/**
 * The wizard's last step in action: Write files and Deploy with the status
 * line they keep up to date, the failed service (its own error and a button
 * to its logs), and the written files while they still match the wizard's
 * state. A deleted service clears the status that is about it.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { Contents } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { errorMessage } from '../api';
import { useBusy } from '../catalog/details';
import { IService, Version } from './api';
import {
  IWritten,
  NoServiceEndpoint,
  settled,
  startDeploy,
  writeFiles
} from './actions';
import { checkedFiles } from './files';
import { serviceDeleted, serviceDeployed } from './services';
import { IWizardState } from './state';
import { IStatus } from './steps/deploy';
import { ITarget } from './targets';
import { openTestPage, testPageUrl } from './testpage';

export interface IDeployRunOptions {
  app: JupyterFrontEnd;
  path: string;
  contents: Contents.IManager;
  trans: TranslationBundle;
  state: IWizardState;
  version: Version;
  name: string;
  where: ITarget;
  /** Called once a deploy has settled (the services list may have changed). */
  onSettled: () => void;
}

export interface IDeployRun {
  busy: string;
  status: IStatus | null;
  failed: IService | null;
  /** The written files, while they match the wizard's state. */
  upToDate: IWritten | null;
  onWrite: () => void;
  onDeploy: () => void;
  /** Forget the status (a reload). */
  clear: () => void;
}

export function useDeployRun(o: IDeployRunOptions): IDeployRun {
  const { app, contents, trans, state: s } = o;
  const [written, setWritten] = React.useState<
    (IWritten & { key: string }) | null
  >(null);
  const [status, setStatus] = React.useState<IStatus | null>(null);
  const [failed, setFailed] = React.useState<IService | null>(null);
  const [busy, run] = useBusy();
  // the service the status line is about (cleared when it is deleted)
  const about = React.useRef<string | null>(null);
  React.useEffect(() => {
    const onDeleted = (_: unknown, id: string) => {
      if (about.current === id) {
        about.current = null;
        setStatus(null);
        setFailed(null);
      }
    };
    serviceDeleted.connect(onDeleted);
    return () => {
      serviceDeleted.disconnect(onDeleted);
    };
  }, []);

  const upToDate = written && written.key === s.fingerprint ? written : null;

  const write = async (): Promise<IWritten | null> => {
    setStatus({
      kind: 'info',
      text: trans.__('Writing handler.py and app_spec.yml…')
    });
    const w = await writeFiles(trans, contents, {
      notebook: o.path,
      cells: s.selected,
      spec: s.spec,
      ...(s.handlerEdited ? { handler: s.handler } : {})
    });
    if (!w) {
      setStatus({
        kind: 'info',
        text: trans.__('Nothing written: the files were kept.')
      });
      return null;
    }
    setWritten({ ...w, key: s.fingerprint });
    setStatus({
      kind: 'success',
      text: trans.__(
        'Wrote handler.py and app_spec.yml in %1',
        w.result.folder || '/'
      )
    });
    return w;
  };

  const onWrite = () =>
    void run('write', async () => {
      try {
        await write();
      } catch (err) {
        setStatus({
          kind: 'error',
          text: trans.__('Cannot write the files: %1', errorMessage(err))
        });
      }
    });

  const notify = (service: IService) =>
    Notification.success(
      trans.__('Deployed %1 at %2', service.id, service.url),
      {
        autoClose: 8000,
        actions: [
          {
            label: trans.__('Open test page'),
            callback: () => void openTestPage(app, service, trans)
          },
          {
            label: trans.__('Copy URL'),
            callback: () =>
              void testPageUrl(service)
                .then(url => navigator.clipboard?.writeText(url))
                .catch(err => Notification.error(errorMessage(err)))
          }
        ]
      }
    );

  const onDeploy = () =>
    void run('deploy', async () => {
      try {
        const w = upToDate ?? (await write());
        if (!w) {
          return;
        }
        setStatus({
          kind: 'info',
          text: trans.__('Deploying %1 (%2)…', o.name, o.version)
        });
        setFailed(null);
        about.current = null;
        const started = await startDeploy(trans, {
          folder: w.result.folder,
          version: o.version,
          files: checkedFiles(s.files),
          name: o.name,
          backend: o.where.backend,
          ...(o.where.machine ? { machine: o.where.machine } : {})
        });
        about.current = started.id;
        setStatus({
          kind: 'info',
          text: trans.__('Starting %1…', started.id)
        });
        const service = await settled(started); // at most a minute: running, or failed with its error
        serviceDeployed.emit(service.id);
        o.onSettled();
        if (service.state === 'failed') {
          setFailed(service);
          setStatus({
            kind: 'error',
            text: trans.__(
              'The service failed to start: %1',
              service.error ?? service.reason ?? ''
            )
          });
          return;
        }
        setStatus({
          kind: 'success',
          text: trans.__(
            'Deployed %1 (%2): %3',
            service.id,
            service.state,
            service.url
          )
        });
        await openTestPage(app, service, trans);
        notify(service);
      } catch (err) {
        setStatus({
          kind: 'error',
          text:
            err instanceof NoServiceEndpoint
              ? err.message
              : trans.__('Cannot deploy: %1', errorMessage(err))
        });
      }
    });

  const clear = () => {
    setStatus(null);
    setFailed(null);
    about.current = null;
  };
  return { busy, status, failed, upToDate, onWrite, onDeploy, clear };
}
