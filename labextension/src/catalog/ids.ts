/** The catalog's command ids (all in the palette's "Mo" category). */
export namespace CatalogCommandIDs {
  export const openModules = 'mo:open-modules';
  export const openModule = 'mo:open-module';
  export const insertModule = 'mo:insert-module';
  export const publishModule = 'mo:publish-module';
  export const openDatasets = 'mo:open-datasets';
  export const openDataset = 'mo:open-dataset';
  export const insertDataset = 'mo:insert-dataset';
  export const newDataset = 'mo:new-dataset';
  export const editDataset = 'mo:edit-dataset';
  export const deleteDataset = 'mo:delete-dataset';
  export const setDatasetStatus = 'mo:set-dataset-status';
  export const setDatasetPermission = 'mo:set-dataset-permission';
  export const uploadDataset = 'mo:upload-dataset';
}
