/**
 * The buttons of a model version's tab: Download, Deploy, Transfer Training,
 * Publish to Catalog (those two for a model trained from a catalog module)
 * and Delete, each running its command on the version.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { ModelCommandIDs } from './ids';

/** The tab's buttons; transfer and publish need the module the model was trained from. */
export function toolbar(
  trans: TranslationBundle,
  fromModule: boolean
): {
  id: string;
  command: string;
  label: string;
  title: string;
  style: string;
  /** Disabled while its command is (transfer: without the task wizard). */
  needsEnabled?: boolean;
}[] {
  const all = [
    {
      id: 'download',
      command: ModelCommandIDs.downloadModel,
      label: trans.__('Download'),
      title: trans.__('Download the model files as one zip'),
      style: 'jp-mod-accept'
    },
    {
      id: 'deploy',
      command: ModelCommandIDs.deployModel,
      label: trans.__('Deploy'),
      title: trans.__('Deploy this model as a service'),
      style: ''
    },
    {
      id: 'transfer',
      command: ModelCommandIDs.transferModel,
      label: trans.__('Transfer Training…'),
      title: trans.__('A training task that goes on from this model'),
      style: '',
      needsEnabled: true
    },
    {
      id: 'publish',
      command: ModelCommandIDs.publishModel,
      label: trans.__('Publish to Catalog…'),
      title: trans.__(
        'A new version of your module of this name, carrying these weights'
      ),
      style: ''
    },
    {
      id: 'delete',
      command: ModelCommandIDs.deleteModel,
      label: trans.__('Delete'),
      title: trans.__('Delete this version and its files'),
      style: 'jp-mod-warn'
    }
  ];
  return all.filter(
    b => fromModule || (b.id !== 'transfer' && b.id !== 'publish')
  );
}
