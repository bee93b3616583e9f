/** The models' command ids (palette category "Mo"). */
export namespace ModelCommandIDs {
  export const openModels = 'mo:open-models';
  export const openModel = 'mo:open-model';
  export const deleteModel = 'mo:delete-model';
  export const downloadModel = 'mo:download-model';
  export const registerModel = 'mo:register-model';
  /** Owned by the deploy part: shown only where it is registered. */
  export const deployModel = 'mo:deploy-model';
}
