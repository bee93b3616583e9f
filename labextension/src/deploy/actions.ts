/**
 * The wizard's last step's actions: write handler.py + app_spec.yml (asking
 * before replacing them), deploy the folder as a service and wait for it to
 * run. Errors come back as readable messages for the wizard's status line.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { Contents, ServerConnection } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';

import { MoApiError } from '../api';
import {
  IGenerateRequest,
  IGenerateResult,
  IService,
  Version,
  deployService,
  generateFiles,
  getService,
  readText
} from './api';

/** What a write gives back: the server's answer and the files as written. */
export interface IWritten {
  result: IGenerateResult;
  handler: string;
  yaml: string;
}

/**
 * POST handle/generate; a 409 asks "Replace handler.py and app_spec.yml?"
 * and repeats with overwrite. Resolves to null when the user says no.
 */
export async function writeFiles(
  trans: TranslationBundle,
  contents: Contents.IManager,
  request: IGenerateRequest
): Promise<IWritten | null> {
  let result: IGenerateResult;
  try {
    result = await generateFiles(request);
  } catch (err) {
    if (!(err instanceof MoApiError) || err.status !== 409) {
      throw err;
    }
    const answer = await showDialog({
      title: trans.__('Replace handler.py and app_spec.yml?'),
      body: err.message,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Keep') }),
        Dialog.warnButton({ label: trans.__('Replace') })
      ]
    });
    if (!answer.button.accept) {
      return null;
    }
    result = await generateFiles({ ...request, overwrite: true });
  }
  const folder = result.folder;
  const [handler, yaml] = await Promise.all([
    readText(contents, PathExt.join(folder, 'handler.py')),
    readText(contents, PathExt.join(folder, 'app_spec.yml'))
  ]);
  return { result, handler, yaml };
}

/** Thrown when the server has no services endpoint (404). */
export class NoServiceEndpoint extends Error {}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** POST services: the new service, starting. A 404 is NoServiceEndpoint. */
export async function startDeploy(
  trans: TranslationBundle,
  request: {
    folder: string;
    version: Version;
    files: string[];
    name?: string;
    backend?: string;
    machine?: string;
  }
): Promise<IService> {
  try {
    return await deployService(request);
  } catch (err) {
    if (
      err instanceof MoApiError &&
      (err.status === 404 || err.status === 405)
    ) {
      throw new NoServiceEndpoint(
        trans.__('Deployment service not available on this server')
      );
    }
    throw err;
  }
}

/**
 * The service once it runs or has failed (or is still starting after `ms`).
 * A look that does not reach the server (a moment of network trouble) is
 * tried again until then: the deploy itself has happened.
 */
export async function settled(
  service: IService,
  ms = 60000
): Promise<IService> {
  const until = Date.now() + ms;
  while (service.state === 'starting' && Date.now() < until) {
    await sleep(500);
    try {
      service = await getService(service.id);
    } catch (err) {
      if (!(err instanceof ServerConnection.NetworkError)) {
        throw err;
      }
    }
  }
  return service;
}
