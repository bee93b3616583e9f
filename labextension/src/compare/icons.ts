/**
 * Icons of the Compare tab and the Jobs sidebar's selection buttons.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const svg = (body: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">${body}</svg>`;

/** Two lines crossing on a chart's axes. */
export const compareIcon = new LabIcon({
  name: 'mo_jupyter:compare',
  svgstr: svg(
    '<g class="jp-icon3" fill="#616161"><path d="M3 3h2v16h16v2H3z"/>' +
      '<path d="M7 16.6l4.3-6 3.2 2.8L20 6.6l1.4 1.4-6.8 8.2-3.1-2.8-3 4.1zM7 8.4l1.4-1.2 5.2 6.1 3.8-1.9.9 1.8-5.2 2.6z" fill-opacity=".55"/></g>'
  )
});

/** A flask (training), for New Training Task when its command has no icon. */
export const newTaskIcon = new LabIcon({
  name: 'mo_jupyter:new-training-task',
  svgstr: svg(
    '<g class="jp-icon3" fill="#616161"><path d="M8 2h8v2h-1v5.3l5.2 9A2.5 2.5 0 0 1 18 22H6a2.5 2.5 0 0 1-2.2-3.7l5.2-9V4H8zm3 2v5.8L8.5 14h7L13 9.8V4z"/></g>'
  )
});
