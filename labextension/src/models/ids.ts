/** The models' command ids (palette category "Mo"). */
export namespace ModelCommandIDs {
  export const openModels = 'mo:open-models';
  export const openModel = 'mo:open-model';
  export const deleteModel = 'mo:delete-model';
  export const downloadModel = 'mo:download-model';
  export const registerModel = 'mo:register-model';
  export const deployModel = 'mo:deploy-model';
  export const publishModel = 'mo:publish-model';
  export const transferModel = 'mo:transfer-train-model';
}
