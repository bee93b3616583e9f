/**
 * The deploy wizard's state that comes from the server: where a service can run, and the
 * service name with the services that name would replace.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IConfig, getConfig } from '../api';
import { IService, Version } from './api';
import { replaceNotice, serviceNameFor, serviceNameProblem } from './naming';
import { listServices, serviceDeleted } from './services';
import { ITarget, serviceTargets } from './targets';

/** The Run-on targets: local, then the docker and swarm machines the server has. */
export function useTargets(trans: TranslationBundle): ITarget[] {
  const [config, setConfig] = React.useState<IConfig | null>(null);
  React.useEffect(() => {
    getConfig().then(setConfig, () => setConfig(null));
  }, []);
  return serviceTargets(config, trans.__('local (processes on the server)'));
}

/**
 * The service name (the notebook's by default), what is wrong with it, and the words
 * that say a deploy replaces an existing service; the services are read when `refresh`
 * turns true (the deploy step) and forgotten when deleted.
 */
export function useServiceName(
  path: string,
  version: Version,
  refresh: boolean,
  generation: number,
  trans: TranslationBundle
): {
  name: string;
  setName: (name: string) => void;
  nameProblem: string;
  replacing: string;
  refreshServices: () => void;
} {
  const [name, setName] = React.useState(() => serviceNameFor(path));
  const [services, setServices] = React.useState<IService[]>([]);
  const refreshServices = () =>
    void listServices().then(
      r => setServices(r.services),
      () => setServices([])
    );
  React.useEffect(() => setName(serviceNameFor(path)), [path]);
  React.useEffect(() => {
    if (refresh) {
      refreshServices();
    }
  }, [refresh, generation]);
  React.useEffect(() => {
    const onDeleted = (_: unknown, id: string) =>
      setServices(list => list.filter(x => x.id !== id));
    serviceDeleted.connect(onDeleted);
    return () => {
      serviceDeleted.disconnect(onDeleted);
    };
  }, []);
  const nameProblem = serviceNameProblem(name, trans);
  const replacing = nameProblem
    ? ''
    : replaceNotice(name, version, services, trans);
  return { name, setName, nameProblem, replacing, refreshServices };
}
