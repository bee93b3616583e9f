/**
 * The extension's icons. Colours come from theme classes (`jp-icon3`) and
 * the state colours from `--jp-*` variables in the style sheet.
 */
import { LabIcon } from '@jupyterlab/ui-components';

import { JobState } from './api';

const svg = (body: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">${body}</svg>`;

/**
 * The Jobs sidebar: a stack of cards (the queue) with a play triangle on the
 * front one; no horizontal bars, so it does not read as the Table of
 * Contents' list icon beside it.
 */
export const jobsIcon = new LabIcon({
  name: 'mo_jupyter:jobs',
  svgstr: svg(
    '<g class="jp-icon3" fill="#616161" fill-rule="evenodd">' +
      '<path d="M8 2h12a2 2 0 0 1 2 2v12h-2V4H8z"/>' +
      '<path d="M4 6h12a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2zm0 2v12h12V8z"/>' +
      '<path d="M7.5 10.5v7l6-3.5z"/></g>'
  )
});

export const queuedIcon = new LabIcon({
  name: 'mo_jupyter:state-queued',
  svgstr: svg(
    '<path class="jp-icon3" fill="#616161" d="M6 2h12v2h-1v3.2a5 5 0 0 1-2.2 4.1L13.8 12l1 .7A5 5 0 0 1 17 16.8V20h1v2H6v-2h1v-3.2a5 5 0 0 1 2.2-4.1l1-.7-1-.7A5 5 0 0 1 7 7.2V4H6zm3 2v3.2a3 3 0 0 0 1.3 2.5L12.5 12l-2.2 2.3A3 3 0 0 0 9 16.8V20h6v-3.2a3 3 0 0 0-1.3-2.5L11.5 12l2.2-2.3A3 3 0 0 0 15 7.2V4z"/>'
  )
});

export const runningIcon = new LabIcon({
  name: 'mo_jupyter:state-running',
  svgstr: svg(
    '<path class="jp-icon3" fill="#616161" d="M12 2a10 10 0 1 0 10 10h-2.5A7.5 7.5 0 1 1 12 4.5z"/>' +
      '<path class="jp-icon3" fill="#616161" d="M10 8v8l6-4z"/>'
  )
});

export const completedIcon = new LabIcon({
  name: 'mo_jupyter:state-completed',
  svgstr: svg(
    '<path class="jp-icon3" fill="#616161" d="M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z"/>'
  )
});

export const failedIcon = new LabIcon({
  name: 'mo_jupyter:state-failed',
  svgstr: svg(
    '<path class="jp-icon3" fill="#616161" d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 15h-2v-2h2zm0-4h-2V7h2z"/>'
  )
});

export const stoppedIcon = new LabIcon({
  name: 'mo_jupyter:state-stopped',
  svgstr: svg(
    '<path class="jp-icon3" fill="#616161" d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zM8 8h8v8H8z"/>'
  )
});

export const STATE_ICONS: { [K in JobState]: LabIcon } = {
  queued: queuedIcon,
  running: runningIcon,
  completed: completedIcon,
  failed: failedIcon,
  stopped: stoppedIcon
};

export const runJobIcon = new LabIcon({
  name: 'mo_jupyter:run-job',
  svgstr: svg(
    '<g class="jp-icon3" fill="#616161"><path d="M3 4h11v2H3zM3 9h8v2H3zM3 14h6v2H3z"/>' +
      '<path d="M13 11v10l8-5z"/></g>'
  )
});

export const exportIcon = new LabIcon({
  name: 'mo_jupyter:export-py',
  svgstr: svg(
    '<g class="jp-icon3" fill="#616161"><path d="M6 2h8l5 5v6h-2V8h-4V4H6v16h6v2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z"/>' +
      '<path d="M16 14v3h-3v2h3v3l4-4z"/></g>'
  )
});

export const modulesIcon = new LabIcon({
  name: 'mo_jupyter:modules',
  svgstr: svg(
    '<path class="jp-icon3" fill="#616161" d="M12 2 3 6.5v11L12 22l9-4.5v-11zm0 2.2 6.6 3.3L12 10.8 5.4 7.5zM5 9.1l6 3v7.7l-6-3zm8 10.7v-7.7l6-3v7.7z"/>'
  )
});

export const datasetsIcon = new LabIcon({
  name: 'mo_jupyter:datasets',
  svgstr: svg(
    '<path class="jp-icon3" fill="#616161" d="M12 2C7.6 2 4 3.6 4 5.5v13C4 20.4 7.6 22 12 22s8-1.6 8-3.5v-13C20 3.6 16.4 2 12 2zm0 2c3.6 0 6 1.1 6 1.5S15.6 7 12 7 6 5.9 6 5.5 8.4 4 12 4zM6 8.2C7.5 8.7 9.6 9 12 9s4.5-.3 6-.8V12c0 .4-2.4 1.5-6 1.5S6 12.4 6 12zm0 6.5c1.5.5 3.6.8 6 .8s4.5-.3 6-.8v3.8c0 .4-2.4 1.5-6 1.5s-6-1.1-6-1.5z"/>'
  )
});

export const publishIcon = new LabIcon({
  name: 'mo_jupyter:publish-module',
  svgstr: svg(
    '<g class="jp-icon3" fill="#616161"><path d="M12 3 6.5 8.5 7.9 9.9 11 6.8V16h2V6.8l3.1 3.1 1.4-1.4z"/>' +
      '<path d="M4 14h2v4h12v-4h2v6H4z"/></g>'
  )
});

/** handle(conf): a function box with an arrow in and out (the deploy wizard). */
export const handleIcon = new LabIcon({
  name: 'mo_jupyter:handle',
  svgstr: svg(
    '<g class="jp-icon3" fill="#616161"><path d="M8 5h8a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2zm0 2v10h8V7z"/>' +
      '<path d="M1 11h4v2H1zM19 11h4v2h-4zM10 9h1.5l1 2.5 1-2.5H15l-1.7 3 1.7 3h-1.5l-1-2.5-1 2.5H10l1.7-3z"/></g>'
  )
});

/** Deploy: a box going up onto a server (the deploy wizard, sidebar, test page). */
export const deployIcon = new LabIcon({
  name: 'mo_jupyter:deploy',
  svgstr: svg(
    '<g class="jp-icon3" fill="#616161"><path d="M12 2 6.5 7.5l1.4 1.4L11 5.8V14h2V5.8l3.1 3.1 1.4-1.4z"/>' +
      '<path d="M3 16h18v6H3zm2 2v2h2v-2z"/></g>'
  )
});

/** Models: a small network (three inputs, two hidden units, one output). */
export const modelsIcon = new LabIcon({
  name: 'mo_jupyter:models',
  svgstr: svg(
    '<path class="jp-icon3" stroke="#616161" stroke-width="1.4" d="M4 5l8 3M4 5l8 11M4 12l8-4M4 12l8 4M4 19l8-11M4 19l8-3M12 8l8 4M12 16l8-4"/>' +
      '<g class="jp-icon3" fill="#616161"><circle cx="4" cy="5" r="2.3"/><circle cx="4" cy="12" r="2.3"/>' +
      '<circle cx="4" cy="19" r="2.3"/><circle cx="12" cy="8" r="2.5"/><circle cx="12" cy="16" r="2.5"/>' +
      '<circle cx="20" cy="12" r="2.7"/></g>'
  )
});
