/**
 * A service's name in the deploy wizard: the default made from the
 * notebook's name (the server's default_name and NAME_RE in
 * mo_jupyter/services/manager.py), its check as typed, and what deploying
 * does to a service of that name and version that exists already.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { IService, Version } from './api';

/** The server's NAME_RE: lowercase letters, digits, - and _, at most 63. */
export const SERVICE_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** `folder/MNIST CNN.ipynb` -> `mnist-cnn` (as the server's default_name). */
export function serviceNameFor(notebookPath: string): string {
  const base = (notebookPath.split('/').pop() ?? '').replace(/\.ipynb$/i, '');
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 63);
  return name || 'app';
}

/** Why `name` is not a service name ('' when it is). */
export function serviceNameProblem(
  name: string,
  trans: TranslationBundle
): string {
  if (!name) {
    return trans.__('A service needs a name.');
  }
  if (name.length > 63) {
    return trans.__('At most 63 characters (%1 now).', name.length);
  }
  if (!SERVICE_NAME_RE.test(name)) {
    return trans.__(
      'Use lowercase letters, digits, - and _, starting with a letter or digit.'
    );
  }
  return '';
}

/** The service that deploying `name` as `version` replaces, if any. */
export function replacedService(
  name: string,
  version: Version,
  services: IService[]
): IService | null {
  const id = `${name}-${version}`;
  return (
    services.find(s => s.id === id) ??
    services.find(s => s.name === name && s.version === version) ??
    null
  );
}

/** What deploying does to an existing service of that name and version ('' when none). */
export function replaceNotice(
  name: string,
  version: Version,
  services: IService[],
  trans: TranslationBundle
): string {
  const old = replacedService(name, version, services);
  if (!old) {
    return '';
  }
  const id = old.id;
  switch (old.state) {
    case 'running':
      return trans.__(
        'A service named %1 is running; deploying replaces it (same address).',
        id
      );
    case 'starting':
      return trans.__(
        'A service named %1 is starting; deploying replaces it (same address).',
        id
      );
    case 'stopped':
      return trans.__(
        'A service named %1 exists (stopped); deploying replaces it (same address).',
        id
      );
    default:
      return trans.__(
        'A service named %1 exists (failed); deploying replaces it (same address).',
        id
      );
  }
}
