/**
 * Identifiers shared by the plugin's parts: command ids, the plugin id
 * (which names the settings schema `schema/plugin.json`), and the settings.
 */
export const PLUGIN_ID = 'mo_jupyter:plugin';

/** The translation domain (the Python package name). */
export const DOMAIN = 'mo_jupyter';

export namespace CommandIDs {
  export const createJob = 'mo:create-job';
  export const openJobs = 'mo:open-jobs';
  export const openJob = 'mo:open-job';
  export const stopJob = 'mo:stop-job';
  export const exportNotebook = 'mo:export-notebook';
}

export type XAxisKey = 'time' | 'step' | 'epoch';

/** The user settings, as read from `schema/plugin.json`. */
export interface IMoSettings {
  followLog: boolean;
  defaultXAxis: XAxisKey | 'auto';
  defaultBackend: string;
  defaultMachine: string;
  notifyOnEnd: boolean;
}

export const DEFAULT_SETTINGS: IMoSettings = {
  followLog: true,
  defaultXAxis: 'auto',
  defaultBackend: '',
  defaultMachine: '',
  notifyOnEnd: true
};

/** Live settings holder: parts read `current` when they need a value. */
export class SettingsHolder {
  current: IMoSettings = { ...DEFAULT_SETTINGS };
}
