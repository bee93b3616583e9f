/**
 * The Services list (seed 003, 2.7: start / stop / replicas / online test) in
 * the Deploy sidebar: every deployed app of the project with its state and
 * replicas, polled with backoff; open its test page, start / stop (0
 * replicas, same address), scale, read its logs, delete.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Poll } from '@lumino/polling';
import { Signal } from '@lumino/signaling';
import * as React from 'react';

import { enc, errorMessage, requestAPI } from '../api';
import { IService, IServiceKey } from './api';
import { closeTestPage, openTestPage } from './testpage';

/**
 * Emits the id of each service deleted from the Services list: its Test tab
 * is closed already; the deploy wizard clears its status line about it.
 */
export const serviceDeleted = new Signal<object, string>({});
/** Emitted with a service's id when a deploy of it has settled (running or failed): lists refresh. */
export const serviceDeployed = new Signal<object, string>({});

export function listServices(): Promise<{ services: IService[] }> {
  return requestAPI<{ services: IService[] }>('services');
}

function call<T>(path: string, method: string, body?: unknown): Promise<T> {
  return requestAPI<T>(path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' }
  });
}

/** How many bytes of a service's log (its end) the Logs dialog shows. */
const LOG_TAIL = 65536;

export function scaleService(id: string, replicas: number): Promise<IService> {
  return call<IService>(`services/${enc(id)}/scale`, 'POST', { replicas });
}

/** Ask for the key or not, and/or make a new one (the replicas restart when they need to). */
export function setServiceKey(
  id: string,
  body: { protected?: boolean; rotate?: boolean }
): Promise<IService & IServiceKey> {
  return call<IService & IServiceKey>(`services/${enc(id)}/key`, 'POST', body);
}

/** The Logs dialog: the end of a service's log (its last deploy starts with a dated line). */
export async function showServiceLogs(
  id: string,
  trans: TranslationBundle
): Promise<void> {
  // the newest output: the last 64 KiB of the log (from offset 0 it would be the oldest)
  const logs = await call<{ text: string }>(
    `services/${enc(id)}/logs?tail=${LOG_TAIL}`,
    'GET'
  );
  const body = (
    <pre className="mo-ServiceLogs" data-testid="mo-service-logs">
      {logs.text || trans.__('(no output yet)')}
    </pre>
  );
  await showDialog({
    title: trans.__('Logs of %1', id),
    body,
    buttons: [Dialog.okButton({ label: trans.__('Close') })]
  });
}

/** A failed service's error, with a button to its logs (the Services list, the wizard). */
export function ServiceFailure(props: {
  service: IService;
  trans: TranslationBundle;
}): JSX.Element {
  const { service, trans } = props;
  return (
    <div
      className="mo-Message mo-mod-error mo-Service-error"
      data-testid="mo-service-error"
      role="alert"
    >
      <span>
        {service.error
          ? trans.__('%1 failed: %2', service.id, service.error)
          : trans.__('%1 failed: %2', service.id, service.reason ?? '')}
      </span>{' '}
      <button
        className="jp-Button jp-mod-styled"
        data-testid="mo-service-error-logs"
        onClick={() =>
          void showServiceLogs(service.id, trans).catch(err =>
            Notification.error(errorMessage(err))
          )
        }
      >
        {trans.__('Logs')}
      </button>
    </div>
  );
}

export interface IServicesProps {
  app: JupyterFrontEnd;
  trans: TranslationBundle;
}

export function ServicesList(props: IServicesProps): JSX.Element {
  const { app, trans } = props;
  const [services, setServices] = React.useState<IService[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const poll = React.useRef<Poll | null>(null);

  React.useEffect(() => {
    const p = new Poll({
      factory: async () => {
        try {
          setServices((await listServices()).services);
          setError(null);
        } catch (err) {
          setError(errorMessage(err));
          throw err; // back off while the server is away
        }
      },
      frequency: { interval: 3000, backoff: true, max: 30000 },
      name: 'mo_jupyter:services',
      standby: 'when-hidden'
    });
    poll.current = p;
    // a deploy that just settled shows here at once, not after the poll's back-off
    const onDeployed = () => void p.refresh();
    serviceDeployed.connect(onDeployed);
    return () => {
      serviceDeployed.disconnect(onDeployed);
      p.dispose();
    };
  }, []);

  const act = async (what: () => Promise<unknown>, done?: string) => {
    try {
      await what();
      if (done) {
        Notification.success(done, { autoClose: 3000 });
      }
    } catch (err) {
      Notification.error(errorMessage(err), { autoClose: false });
    }
    void poll.current?.refresh();
  };

  const showLogs = (s: IService) => showServiceLogs(s.id, trans);

  const remove = async (s: IService) => {
    const answer = await showDialog({
      title: trans.__('Delete service %1?', s.id),
      body: trans.__('Its replicas stop and its deployed files are removed.'),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (answer.button.accept) {
      await act(
        async () => {
          await call(`services/${enc(s.id)}`, 'DELETE');
          closeTestPage(app, s.id);
          serviceDeleted.emit(s.id);
        },
        trans.__('Deleted %1', s.id)
      );
    }
  };

  if (services === null) {
    return <div className="mo-Message">{error ?? trans.__('Loading…')}</div>;
  }
  return (
    <div className="mo-Services" data-testid="mo-services">
      {error && <div className="mo-Message mo-mod-error">{error}</div>}
      {services.length === 0 && (
        <p className="mo-Services-empty">
          {trans.__('No services yet: deploy a notebook.')}
        </p>
      )}
      {services.map(s => (
        <div
          key={s.id}
          className="mo-Service"
          data-id={s.id}
          data-state={s.state}
        >
          <div className="mo-Service-head">
            <span className="mo-Service-id">{s.id}</span>
            <span className={`mo-Service-state mo-mod-${s.state}`}>
              {s.state}
            </span>
          </div>
          <div className="mo-Service-meta">
            {trans.__(
              '%1 of %2 replica(s), %3',
              String(s.running_replicas ?? 0),
              String(s.replicas),
              s.backend
            )}
            {s.reason && !(s.state === 'failed' && s.error)
              ? ` · ${s.reason}`
              : ''}
          </div>
          {s.state === 'failed' && s.error && (
            <ServiceFailure service={s} trans={trans} />
          )}
          {s.model && (
            <div className="mo-Service-meta" data-testid="mo-service-model">
              <a
                href="#"
                className="mo-Service-modelLink"
                title={trans.__('Open the model this service serves')}
                onClick={e => {
                  e.preventDefault();
                  void app.commands.execute('mo:open-model', {
                    name: s.model!.name,
                    version: s.model!.version
                  });
                }}
              >
                {trans.__('model %1 version %2', s.model.name, s.model.version)}
              </a>
            </div>
          )}
          {(s.trained_by ?? []).slice(0, 3).map(t => (
            <div
              key={t.file}
              className="mo-Service-meta"
              data-testid="mo-service-trained-by"
            >
              {trans.__('%1 from job %2 (%3)', t.file, t.name ?? t.job, t.job)}
            </div>
          ))}
          <div className="mo-Service-actions">
            <button
              className="jp-Button jp-mod-styled"
              data-testid="mo-service-test"
              disabled={s.state !== 'running'}
              onClick={() =>
                void openTestPage(app, s, trans).catch(err =>
                  Notification.error(errorMessage(err))
                )
              }
            >
              {trans.__('Test')}
            </button>
            {s.replicas === 0 ? (
              <button
                className="jp-Button jp-mod-styled"
                data-testid="mo-service-start"
                onClick={() =>
                  void act(
                    () => scaleService(s.id, s.last_replicas ?? 1),
                    trans.__('Started %1', s.id)
                  )
                }
              >
                {trans.__('Start')}
              </button>
            ) : (
              <button
                className="jp-Button jp-mod-styled"
                data-testid="mo-service-stop"
                onClick={() =>
                  void act(
                    () => scaleService(s.id, 0),
                    trans.__('Stopped %1', s.id)
                  )
                }
              >
                {trans.__('Stop')}
              </button>
            )}
            <label className="mo-Service-replicas">
              {trans.__('Replicas')}
              <input
                type="number"
                min={0}
                max={16}
                defaultValue={s.replicas}
                data-testid="mo-service-replicas"
                onKeyDown={e => {
                  if (e.key === 'Enter') {
                    const n = Number((e.target as HTMLInputElement).value);
                    void act(
                      () => scaleService(s.id, n),
                      trans.__('%1 now has %2 replica(s)', s.id, String(n))
                    );
                  }
                }}
              />
            </label>
            <label
              className="mo-Service-protected"
              title={trans.__(
                'Callers of the app must send its access key (header X-Mo-Key); the Test tab sends it for you'
              )}
            >
              <input
                type="checkbox"
                key={`${s.id}-${!!s.protected}`}
                defaultChecked={!!s.protected}
                data-testid="mo-service-protected"
                onChange={e => {
                  const on = e.target.checked;
                  void act(
                    () => setServiceKey(s.id, { protected: on }),
                    on
                      ? trans.__('%1 now asks for its key', s.id)
                      : trans.__('%1 no longer asks for its key', s.id)
                  );
                }}
              />
              {trans.__('Key required')}
            </label>
            <button
              className="jp-Button jp-mod-styled"
              data-testid="mo-service-logs-button"
              onClick={() =>
                void showLogs(s).catch(err =>
                  Notification.error(errorMessage(err))
                )
              }
            >
              {trans.__('Logs')}
            </button>
            <button
              className="jp-Button jp-mod-styled jp-mod-warn"
              data-testid="mo-service-delete"
              onClick={() => void remove(s)}
            >
              {trans.__('Delete')}
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
